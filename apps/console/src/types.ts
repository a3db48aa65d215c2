/** The API's views, as the console reads them (snake_case, as sent): generated from the OpenAPI document. */

export type {
  AuditEvent as AuditEventView,
  ErrorRecord as ErrorRecordView,
  GetReminderSettingsResponse as ReminderSettingsView,
  InvitationView,
  MemberView,
  Page,
  ProjectView,
  RoleView,
  ServiceAccountView,
  Session as SessionView,
  TokenReplay,
  TokenStatus,
  TokenView,
  TokenWithSecret,
  UpdateProjectBody,
  UpdateReminderSettingsBody,
} from '@keyward/sdk/management';
