import CZhichengPlugin
import Foundation

/// The helper-process side: loads one plugin with `dlopen` and serves the
/// supervisor over stdin and its answer pipe, one JSON object per line. Only this
/// process ever runs plugin code.
///
/// The answer pipe is the stdout the helper was started with, moved before the plugin
/// is loaded to a descriptor of its own (close-on-exec); stdout itself then goes where
/// stderr goes, the daemon's log. So a plugin that prints (`printf`, `puts`, a library
/// that logs to stdout) cannot mix its text into the answers.
public enum PluginChild {
    /// Runs until stdin closes; returns the process exit status.
    public static func run(path: String) -> Int32 {
        let protocolFD = fcntl(STDOUT_FILENO, F_DUPFD_CLOEXEC, 3)
        guard protocolFD >= 0, dup2(STDERR_FILENO, STDOUT_FILENO) == STDOUT_FILENO else {
            return fail("cannot set up the answer pipe (errno \(errno))", to: FileHandle.standardOutput)
        }
        let answers = FileHandle(fileDescriptor: protocolFD, closeOnDealloc: false)
        guard let handle = dlopen(path, RTLD_NOW | RTLD_LOCAL) else {
            return fail("cannot load \(path): \(String(cString: dlerror()))", to: answers)
        }
        guard let symbol = dlsym(handle, ZHICHENG_PLUGIN_ENTRY_SYMBOL) else {
            return fail("\(path) does not export \(ZHICHENG_PLUGIN_ENTRY_SYMBOL)", to: answers)
        }
        typealias Entry = @convention(c) () -> UnsafePointer<zhicheng_plugin_v1>?
        guard let plugin = unsafeBitCast(symbol, to: Entry.self)()?.pointee else { return fail("the entry function returned NULL", to: answers) }
        guard plugin.abi_version == ZHICHENG_PLUGIN_ABI_VERSION else {
            return fail("built for plugin ABI version \(plugin.abi_version); this daemon speaks version \(ZHICHENG_PLUGIN_ABI_VERSION)", to: answers)
        }
        guard let manifest = plugin.manifest_json.map({ String(cString: $0) }), let call = plugin.call, let free = plugin.free_result else {
            return fail("the descriptor lacks a manifest, call or free_result", to: answers)
        }
        send(["ok": true, "abi": Int(ZHICHENG_PLUGIN_ABI_VERSION), "manifest": manifest], to: answers)
        while let line = readLine(strippingNewline: true) {
            guard let request = try? JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any],
                  let step = request["step"] as? String, let input = request["input"] as? String else {
                send(["ok": false, "error": "malformed request"], to: answers)
                continue
            }
            guard let output = call(step, input) else {
                send(["ok": false, "error": "the plugin returned no result for step \(step)"], to: answers)
                continue
            }
            let text = String(cString: output)
            free(output)
            send(["ok": true, "output": text], to: answers)
        }
        return 0
    }

    static func send(_ object: [String: Any], to answers: FileHandle) {
        guard let data = try? JSONSerialization.data(withJSONObject: object) else { return }
        answers.write(data + Data("\n".utf8))
    }

    static func fail(_ message: String, to answers: FileHandle) -> Int32 {
        send(["ok": false, "error": message], to: answers)
        return 2
    }
}
