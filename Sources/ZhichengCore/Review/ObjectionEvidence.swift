/// The files a person attaches to a written objection as its evidence (证据材料: a scan, a
/// PDF), checked as an application's attachments are: at most `maxFiles`, none empty, each at
/// most the upload limit (`limits.upload_max_bytes`, but never above `relayCap`), a PDF, PNG
/// or JPEG as its bytes say (`DocumentType`), under a name `AttachmentName` accepts, fitted to
/// that type. Every refusal names the form's file input, `file`.
public enum ObjectionEvidence {
    /// The most files one objection carries.
    public static let maxFiles = 3
    /// The most objections with evidence files one person may have open against one result (in
    /// the tenant, or sent to the province and not yet resolved): files are kept for good (with
    /// the objection, and in the relay's messages), so one account cannot pile them up.
    public static let maxOpenWithFiles = 3

    /// Refused when `open` objections with files of the caller's already wait on the result.
    public static func requireRoom(open: Int) throws(ZhichengError) {
        guard open < maxOpenWithFiles else {
            throw ZhichengError(.conflict, "您对该评审结果已有 \(maxOpenWithFiles) 条附证据材料的异议尚未处理，处理后方可再提出附证据材料的异议（不附文件的异议不受此限）", field: "file")
        }
    }

    /// The most bytes one file may have whatever the upload limit says: an objection to the
    /// province's result travels to the province inside one relay message (base64 in its JSON
    /// payload, stored in the city's outbox and the province's inbox as one SQLite value), so
    /// three files of this size make a message of about 32 MiB, well inside SQLite's 1 GB for
    /// one value and what the relay holds in memory while it delivers one message. An upload
    /// limit of up to 1 GiB is allowed (`limits.upload_max_bytes`): without this bound an
    /// objection accepted here could never be delivered.
    public static let relayCap = 8 << 20

    /// The limit of one file under the configured upload limit.
    public static func maxFileBytes(uploadLimit: Int) -> Int { min(uploadLimit, relayCap) }

    /// One file as sent: the name its sender gave it and its bytes.
    public struct Upload: Sendable, Equatable {
        public var name: String
        public var bytes: [UInt8]

        public init(name: String, bytes: [UInt8]) {
            self.name = name
            self.bytes = bytes
        }
    }

    /// One file checked: its name fitted to its type, its type told from its bytes.
    public struct File: Sendable, Equatable {
        public var name: String
        public var mime: String
        public var bytes: [UInt8]
    }

    /// The files checked in their order, or the first fault, naming `file`.
    public static func validate(_ uploads: [Upload], maxBytes: Int) throws(ZhichengError) -> [File] {
        guard uploads.count <= maxFiles else {
            throw .invalid("证据材料最多\(maxFiles)个文件（收到\(uploads.count)个）", field: "file")
        }
        var files: [File] = []
        for upload in uploads {
            let name: String
            do {
                name = try AttachmentName.validate(upload.name)
            } catch {
                throw .invalid("证据材料的文件名无效：\(error.message)", field: "file")
            }
            let shown = "证据材料“\(name.count > 60 ? String(name.prefix(60)) + "…" : name)”"
            guard !upload.bytes.isEmpty else { throw .invalid("\(shown)是空文件", field: "file") }
            guard upload.bytes.count <= maxBytes else {
                throw .invalid("\(shown)过大：每个文件不能超过 \(FileSize.text(maxBytes, roundingDown: true))", field: "file")
            }
            let mime: String
            do {
                mime = try DocumentType.detect(upload.bytes)
            } catch {
                throw .invalid("\(shown)无法接受：\(error.message)", field: "file")
            }
            files.append(File(name: AttachmentName.fitted(name, toType: mime), mime: mime, bytes: upload.bytes))
        }
        return files
    }
}
