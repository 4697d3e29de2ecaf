// Plugin authors write `import ZhichengPluginSDK` and nothing else: `JSONValue` (for
// `StepInput.json`, the whole input as sent) comes along with it.
@_exported import ZhichengAdminProtocol
