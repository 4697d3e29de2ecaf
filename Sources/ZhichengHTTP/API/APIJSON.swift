import Foundation
import Hummingbird
import NIOCore
import ZhichengAdminProtocol
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
        if let contentType = request.headers[.contentType], !contentType.lowercased().hasPrefix("application/json") {
            throw ZhichengError(.unsupportedMediaType, "请求体应为 application/json")
        }
        let buffer = try await body(of: request, limit: limit)
        do {
            return try decoder.decode(T.self, from: Data(buffer.readableBytesView))
        } catch let error as DecodingError {
            throw ZhichengError.badRequest(describe(error), field: field(of: error))
        } catch let error as ZhichengError {
            throw error
        } catch {
            throw ZhichengError.badRequest("请求体不是有效的 JSON")
        }
    }

    /// An integer query parameter (`?limit=50`): nil when absent, 400 naming the
    /// parameter when it is not a whole number.
    static func integer(_ name: String, in request: Request) throws -> Int? {
        guard let raw = request.uri.queryParameters.get(name) else { return nil }
        guard let value = Int(raw) else { throw ZhichengError.badRequest("查询参数 \(name) 应为整数", field: name) }
        return value
    }

    /// The raw body, refused with 413 beyond `limit`.
    static func body(of request: Request, limit: Int) async throws -> ByteBuffer {
        if let length = request.headers[.contentLength].flatMap(Int.init), length > limit {
            throw ZhichengError(.tooLarge, "请求体超过 \(limit / 1024) KiB 的上限")
        }
        do {
            return try await request.body.collect(upTo: limit)
        } catch {
            throw ZhichengError(.tooLarge, "请求体超过 \(limit / 1024) KiB 的上限")
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
        let names = path.map { $0.intValue.map(String.init) ?? snake($0.stringValue) }
        return names.isEmpty ? nil : names.joined(separator: ".")
    }

    private static func describe(_ error: DecodingError) -> String {
        switch error {
        case let .keyNotFound(key, _): "缺少字段 \(snake(key.stringValue))"
        case let .typeMismatch(type, context): "字段 \(context.codingPath.map { snake($0.stringValue) }.joined(separator: ".")) 的类型应为 \(type)"
        case let .valueNotFound(_, context): "字段 \(context.codingPath.map { snake($0.stringValue) }.joined(separator: ".")) 不能为空"
        case .dataCorrupted: "请求体不是有效的 JSON"
        @unknown default: "请求体无法解析"
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
