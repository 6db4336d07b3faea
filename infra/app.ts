import { createApp } from './create-app.ts';

process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';

const { app } = createApp();
app.synth();
