import { runRowWriterCases } from '#test/row-writer-cases';
import { byteWriter, textWriter } from '#test/row-writers';

runRowWriterCases('RowProcessor + CopyRowWriter (text path)', textWriter, 'text');
runRowWriterCases('FastRowWriter (byte path)', byteWriter, 'byte');
