#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif
import CZhichengPlugin
import Synchronization

/// The C glue: turns a ``ReviewStepPlugin`` into the `zhicheng_plugin_v1` descriptor of
/// `zhicheng_plugin.h`.
///
/// The descriptor's function pointers are `@convention(c)` and cannot capture a plugin, so
/// the first call of ``entry(_:)`` registers one instance for the whole process and every
/// `call` dispatches through it. `call` reads the input JSON, checks the step id against the
/// manifest, runs the plugin and returns its answer as `strdup`ed JSON text, which
/// `free_result` frees. It returns NULL — the daemon then records the step as failed — when the
/// step is unknown, the input is not a readable step input, or the plugin throws; the reason
/// goes to stderr, which the daemon logs.
public enum PluginExport {
    /// Returns the process's descriptor, building it (and registering `plugin`) on the first
    /// call; later calls return the same descriptor and do not evaluate `plugin`.
    ///
    /// Call it from the one function a plugin exports:
    /// ```swift
    /// @_cdecl("zhicheng_plugin_entry")
    /// public func zhichengPluginEntry() -> UnsafeRawPointer { PluginExport.entry(MyPlugin()) }
    /// ```
    public static func entry<Plugin: ReviewStepPlugin>(_ plugin: @autoclosure () -> Plugin) -> UnsafeRawPointer {
        let descriptor = registration.withLock { current -> Descriptor in
            if let current { return current.descriptor }
            let made = Registration(plugin: plugin())
            current = made
            return made.descriptor
        }
        return UnsafeRawPointer(descriptor.pointer)
    }

    /// The registered plugin and what was built from it, fixed once made.
    private struct Registration: Sendable {
        let plugin: any ReviewStepPlugin
        let name: String
        let stepIDs: Set<String>
        let descriptor: Descriptor

        init(plugin: any ReviewStepPlugin) {
            let manifest = plugin.manifest
            self.plugin = plugin
            self.name = manifest.name
            self.stepIDs = Set(manifest.steps.map(\.id))
            // Both allocations live as long as the process: the host keeps reading them.
            let pointer = UnsafeMutablePointer<zhicheng_plugin_v1>.allocate(capacity: 1)
            pointer.initialize(to: zhicheng_plugin_v1(
                abi_version: ZHICHENG_PLUGIN_ABI_VERSION,
                manifest_json: UnsafePointer(strdup(manifest.json.serialized)),
                call: { step, input in PluginExport.call(step: step, input: input) },
                free_result: { result in free(result) }
            ))
            self.descriptor = Descriptor(pointer: UnsafePointer(pointer))
        }
    }

    /// The descriptor's address. It is written once, before it is shared, and only read after.
    private struct Descriptor: @unchecked Sendable {
        let pointer: UnsafePointer<zhicheng_plugin_v1>
    }

    private static let registration = Mutex<Registration?>(nil)

    /// The body of the descriptor's `call`.
    private static func call(step: UnsafePointer<CChar>?, input: UnsafePointer<CChar>?) -> UnsafeMutablePointer<CChar>? {
        guard let registration = registration.withLock({ $0 }) else { return nil }
        guard let step, let input else {
            report("\(registration.name): called with a NULL step or input")
            return nil
        }
        let stepID = String(cString: step)
        guard registration.stepIDs.contains(stepID) else {
            report("\(registration.name): no step \(stepID) in the manifest")
            return nil
        }
        do {
            let parsed = try StepInput(json: String(cString: input), step: stepID)
            let decision = try registration.plugin.run(step: stepID, input: parsed)
            return strdup(decision.json.serialized)
        } catch {
            report("\(registration.name): step \(stepID) failed: \(error)")
            return nil
        }
    }

    /// One line to stderr (stdout is the host's pipe to the daemon).
    private static func report(_ message: String) {
        var line = message
        line += "\n"
        line.withUTF8 { bytes in _ = write(2, bytes.baseAddress, bytes.count) }
    }
}
