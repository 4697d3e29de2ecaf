import Foundation
import Hummingbird
import NIOCore
import ZhichengAdminProtocol
import ZhichengApp
import ZhichengCore

/// JSON in and out of the API: snake_case keys, a size limit, and decoding errors
/// that name the field at fault.
enum APIJSON {
    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.keyEncodingStrategy = .convertToSnakeCase
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static let decoder: JSONDecoder = {
        let decoder = JSONDecoder()
        decoder.keyDecodingStrategy = .convertFromSnakeCase
        return decoder
    }()

    static let maxBody = 1 << 20

    /// Decodes the request body as `T`.
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int = maxBody) async throws -> T {
        try await decode(type, from: request, limit: limit, whenEmpty: nil)
    }

    /// Decodes the request body as `T`, or gives `empty` when there is no body (or only
    /// white space): for a path whose body is optional (`POST experts/<id>/suspend`).
    static func decode<T: Decodable>(_ type: T.Type, from request: Request, limit: Int = maxBody, whenEmpty empty: T?) async throws -> T {
        if let contentType = request.headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw ZhichengError(.unsupportedMediaType, "请求体应为 application/json")
        }
        var buffer = try await body(of: request, limit: limit)
        // A UTF-8 byte order mark (Windows Notepad, PowerShell's Out-File write one) is not part
        // of the JSON: skipped, as RFC 8259 §8.1 allows a reader to.
        let bom = buffer.readableBytesView.starts(with: [0xEF, 0xBB, 0xBF]) ? 3 : 0
        buffer.moveReaderIndex(forwardBy: bom)
        if let empty, buffer.readableBytesView.allSatisfy({ [0x20, 0x09, 0x0A, 0x0D].contains($0) }) { return empty }
        let data = Data(buffer.readableBytesView)
        do {
            // First: a linear parse that refuses nesting deeper than 64 and repeated keys,
            // before Foundation's decoder and the error paths below walk the body.
            try requireStrict(buffer, after: bom)
            return try decoder.decode(T.self, from: data)
        } catch let error as DecodingError {
            if case let .dataCorrupted(context) = error, context.codingPath.isEmpty, let problem = notWholeNumbers(in: data) { throw problem }
            throw ZhichengError.badRequest(describe(error), field: field(of: error))
        } catch let error as ZhichengError {
            throw error
        } catch {
            throw ZhichengError.badRequest("请求体不是有效的 JSON")
        }
    }

    /// What `JSONDecoder` lets through but the admin protocol's parser refuses, refused
    /// here too, so both doors read a body alike: a key given twice (`JSONDecoder` keeps
    /// the first, a reader keeping the last would see another request) and nesting
    /// deeper than 64.
    /// `skipped`: the bytes before `buffer` in the body (a byte order mark), counted in the
    /// position an error names.
    private static func requireStrict(_ buffer: ByteBuffer, after skipped: Int) throws(ZhichengError) {
        do {
            _ = try JSONValue.parse(buffer.readableBytesView)
        } catch {
            throw invalidJSON(error, skipped: skipped, empty: buffer.readableBytesView.allSatisfy { [0x20, 0x09, 0x0A, 0x0D].contains($0) })
        }
    }

    /// What the parser found wrong, in Chinese: where (the byte of the body, counted from 1,
    /// and the field when it was inside one) and what. `empty`: the body had nothing but
    /// white space.
    static func invalidJSON(_ error: JSONParseError, skipped: Int = 0, empty: Bool) -> ZhichengError {
        let field = error.path.isEmpty ? nil : error.path.joined(separator: ".")
        if let key = error.duplicateKey {
            let at = field.map { "字段 \($0) 中" } ?? ""
            return .badRequest("\(at)“\(key.prefix(40))”出现了两次", field: field.map { $0 + "." + key } ?? key)
        }
        if empty { return .badRequest("请求体为空，应为 JSON") }
        let what: String = switch error.problem {
        case .unexpectedEnd: "内容不完整，在此处意外结束"
        case .unexpectedCharacter: "此处应为一个值（对象、数组、字符串、数字、true、false 或 null）"
        case .invalidLiteral: "此处应为 true、false 或 null"
        case .expectedKey: "此处应为带双引号的字段名"
        case .expectedColon: "字段名之后应为冒号 :"
        case .expectedCommaOrBrace: "此处应为逗号 , 或右花括号 }"
        case .expectedCommaOrBracket: "此处应为逗号 , 或右方括号 ]"
        case .notUTF8: "文字不是 UTF-8 编码"
        case .controlCharacter: "字符串中有未转义的控制字符（换行应写作 \\n）"
        case .unpairedSurrogate: "\\u 转义是不成对的 UTF-16 代理项"
        case .invalidUnicodeEscape: "\\u 转义不是有效的字符"
        case .invalidEscape: "无效的转义符（可用 \\\" \\\\ \\/ \\b \\f \\n \\r \\t \\uXXXX）"
        case .unterminatedString: "字符串没有结束（缺少右引号）"
        case .shortUnicodeEscape, .invalidHexDigit: "\\u 转义应为4位十六进制数字"
        case .invalidNumber: "数字格式不正确"
        case .numberOutOfRange: "数字超出范围"
        case .dataAfterValue: "JSON 值之后还有多余的内容"
        case .tooDeep(let depth): "嵌套超过\(depth)层"
        case .duplicateKey: "字段名重复"
        }
        let at = field.map { "字段 \($0)：" } ?? ""
        return .badRequest("请求体不是有效的 JSON：\(at)\(what)（第 \(skipped + error.offset + 1) 个字节处）", field: field)
    }

    /// A query parameter `true`/`false` (also `1`/`0`), nil when absent; anything else is 400.
    static func boolean(_ name: String, in request: Request) throws -> Bool? {
        guard let raw = request.uri.queryParameters.get(name) else { return nil }
        switch raw {
        case "true", "1": return true
        case "false", "0", "": return false
        default: throw ZhichengError.badRequest("查询参数 \(name) 应为 true 或 false", field: name)
        }
    }

    /// The 年度 a list screen or an API list is narrowed to (`?year=`): nil when empty or
    /// absent (every year); a value that is not a number is 400. One reading for both.
    static func year(in request: Request) throws -> Int? {
        let raw = (request.uri.queryParameters.get("year") ?? "").trimmingCharacters(in: .whitespaces)
        guard !raw.isEmpty else { return nil }
        guard let year = Int(raw) else { throw ZhichengError.badRequest(FormData.yearNotANumber, field: "year") }
        return year
    }

    /// The committee desk's cursor (`?after=`), in the API and on the screen: the `path` of the
    /// last item of the page before (`evaluationPath`); nil when absent or empty (the first
    /// page); anything else is 400.
    static func worklistCursor(in request: Request) throws -> EvaluationTarget? {
        let raw = request.uri.queryParameters.get("after") ?? ""
        if raw.isEmpty { return nil }
        guard let target = evaluationTarget(path: raw) else { throw ZhichengError.invalid("after 应为评委会评审列表中一项的 path", field: "after") }
        return target
    }

    /// Where a page of the city office's plans starts (`?after=`, on the screen also
    /// `?pending_after=`): the `next` of the page before (`PlanOverview.Position`); nil when
    /// absent or empty (the first page); anything else is 400.
    static func planCursor(_ name: String, in request: Request) throws -> PlanOverview.Position? {
        let raw = request.uri.queryParameters.get(name) ?? ""
        if raw.isEmpty { return nil }
        guard let position = PlanOverview.Position(raw) else { throw ZhichengError.invalid("\(name) 应为上一页的 next（上一页最后一个申报计划的位置）", field: name) }
        return position
    }

    /// Where a page of 评审结果公示 starts (`?after=`), in the API and on the screen: the `next`
    /// of the page before (`PublicNotice.Position`); nil when absent or empty; anything else is 400.
    static func noticeCursor(in request: Request) throws -> PublicNotice.Position? {
        let raw = request.uri.queryParameters.get("after") ?? ""
        if raw.isEmpty { return nil }
        guard let position = PublicNotice.Position(raw) else { throw ZhichengError.invalid("after 应为上一页最后一条公示的位置", field: "after") }
        return position
    }

    /// An integer query parameter (`?limit=50`, `?after=120`): nil when absent or empty (as
    /// `year` and the desk's cursor read it: `?after=` is the first page everywhere), 400
    /// naming the parameter when it is not a whole number.
    static func integer(_ name: String, in request: Request) throws -> Int? {
        guard let raw = request.uri.queryParameters.get(name), !raw.isEmpty else { return nil }
        guard let value = Int(raw) else { throw ZhichengError.badRequest("查询参数 \(name) 应为整数", field: name) }
        return value
    }

    /// The name of an uploaded file: it travels percent-encoded (UTF-8) in `X-Filename`;
    /// nil without the header. The name itself is checked by the service
    /// (`AttachmentName`).
    static func fileName(in request: Request) throws -> String? {
        guard let header = request.headers[.init("X-Filename")!] else { return nil }
        guard let decoded = header.removingPercentEncoding else {
            throw ZhichengError.invalid("X-Filename 应为百分号编码（UTF-8）的文件名", field: "name")
        }
        return decoded
    }

    /// The raw body, refused with 413 beyond `limit`.
    static func body(of request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw ZhichengError(.tooLarge, "请求体超过 \(FileSize.text(limit, roundingDown: true)) 的上限")
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch {
            throw ZhichengError(.tooLarge, "请求体超过 \(FileSize.text(limit, roundingDown: true)) 的上限")
        }
    }

    static func response(_ value: some Encodable, status: HTTPResponse.Status = .ok) throws -> Response {
        let data = try encoder.encode(value)
        return Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                        body: .init(byteBuffer: ByteBuffer(bytes: data)))
    }

    /// A response built from a `JSONValue` (the hand-written serializer: much cheaper
    /// than `JSONEncoder` for hot, list-shaped answers).
    static func response(json value: JSONValue, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"],
                 body: .init(byteBuffer: ByteBuffer(bytes: value.serializedBytes)))
    }

    /// A response whose JSON is already written (see `JSONWriter`).
    static func response(json body: ByteBuffer, status: HTTPResponse.Status = .ok) -> Response {
        Response(status: status, headers: [.contentType: "application/json; charset=utf-8", .cacheControl: "no-store"], body: .init(byteBuffer: body))
    }

    static func noContent() -> Response { Response(status: .noContent) }

    private static func field(of error: DecodingError) -> String? {
        let path: [any CodingKey]
        switch error {
        case let .keyNotFound(key, context): path = context.codingPath + [key]
        case let .typeMismatch(_, context), let .valueNotFound(_, context), let .dataCorrupted(context): path = context.codingPath
        @unknown default: return nil
        }
        return name(of: path)
    }

    /// `items.0.count`: keys in snake_case, array positions as numbers; nil for the body itself.
    private static func name(of path: [any CodingKey]) -> String? {
        let names = path.map { $0.intValue.map(String.init) ?? snake($0.stringValue) }
        return names.isEmpty ? nil : names.joined(separator: ".")
    }

    /// What a person reads: the field by its API name and the kind of value expected,
    /// never a Swift type.
    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .keyNotFound(key, context):
            return "缺少字段 \(name(of: context.codingPath + [key]) ?? snake(key.stringValue))"
        case let .typeMismatch(type, context):
            guard let field = name(of: context.codingPath) else { return "请求体应为\(kind(type))" }
            return "字段 \(field) 应为\(kind(type))"
        case let .valueNotFound(type, context):
            guard let field = name(of: context.codingPath) else { return "请求体不能为 null，应为\(kind(type))" }
            return "字段 \(field) 不能为空"
        case let .dataCorrupted(context):
            // A number that is valid JSON but not a whole number in range (2026.5, 1e20).
            guard let field = name(of: context.codingPath) else { return "请求体不是有效的 JSON" }
            return "字段 \(field) 的值无效" + (context.debugDescription.contains("does not fit") ? "（应为范围内的整数）" : "")
        @unknown default:
            return "请求体无法解析"
        }
    }

    /// Foundation on Linux reports a number that is valid JSON but no whole number in range
    /// (2026.5, 1e20) where an integer is expected as "not valid JSON", without its path.
    /// When the body does parse, this names the numbers in it that are no whole number: the
    /// first five found, walking each object by its keys in order. (It once collected, copied and sorted the path of every
    /// such number: a 1 MiB body of 250,000 of them took seconds and a gigabyte.)
    private static func notWholeNumbers(in data: Data) -> ZhichengError? {
        guard let object = try? JSONSerialization.jsonObject(with: data, options: [.fragmentsAllowed]) else { return nil }
        let shown = 5
        var paths: [String] = []
        var more = false
        var path: [String] = []
        func walk(_ value: Any) {
            guard !more else { return }
            switch value {
            case let object as [String: Any]:
                for key in object.keys.sorted() {
                    path.append(key)
                    walk(object[key]!)
                    path.removeLast()
                }
            case let array as [Any]:
                for (index, item) in array.enumerated() {
                    path.append(String(index))
                    walk(item)
                    path.removeLast()
                }
            case is NSNumber where !(value is Int) && !(value is Bool):
                if paths.count == shown { more = true } else { paths.append(path.joined(separator: ".")) }
            default: break
            }
        }
        walk(object)
        guard let first = paths.first else { return nil }
        return .badRequest("字段 \(paths.joined(separator: "、"))\(more ? " 等" : "") 应为整数（不能是小数，也不能超出范围）", field: first)
    }

    /// The JSON kind of value a Swift type is decoded from.
    private static func kind(_ type: Any.Type) -> String {
        switch type {
        case is any BinaryInteger.Type: "整数"
        case is any BinaryFloatingPoint.Type: "数字"
        case is String.Type: "字符串"
        case is Bool.Type: "true 或 false"
        default:
            String(describing: type).hasPrefix("Array") ? "数组 […]" : "对象 {…}"
        }
    }

    private static func snake(_ key: String) -> String {
        var out = ""
        for character in key {
            if character.isUppercase { out += "_" + character.lowercased() } else { out.append(character) }
        }
        return out
    }
}
