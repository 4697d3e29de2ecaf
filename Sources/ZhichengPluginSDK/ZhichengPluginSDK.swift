// Plugin authors write `import ZhichengPluginSDK` and nothing else: `JSONValue` (for
// `StepInput.json`, the whole input as sent) comes along with it.
@_exported import ZhichengAdminProtocol
// The reasons a step may return an application for are the daemon's own list.
@_exported import enum ZhichengCore.ReturnReason
