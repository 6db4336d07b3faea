/** What pg rejects with when the server answers an error: its SQLSTATE, severity and message. */
export const pgError = (
  code: string,
  message: string,
  severity = 'ERROR',
): Error & { code: string; severity: string } => Object.assign(new Error(message), { code, severity });

/** Database trouble that passes, as the server reports it (a retry in a moment may succeed). */
export const PASSING_PG_ERRORS = {
  'login refused (28P01)': pgError('28P01', 'password authentication failed for user "lead_presign"', 'FATAL'),
  'statement timeout (57014)': pgError('57014', 'canceling statement due to statement timeout'),
  'lock timeout (55P03)': pgError('55P03', 'canceling statement due to lock timeout'),
  'too many connections (53300)': pgError('53300', 'sorry, too many clients already', 'FATAL'),
};

/** Database errors no retry fixes: a bug in a statement or a missing grant. */
export const LASTING_PG_ERRORS = {
  'permission denied (42501)': pgError('42501', 'permission denied for table rule_sets'),
  'undefined function (42883)': pgError('42883', 'function rule_set_exists(unknown, unknown) does not exist'),
};
