import Dispatch
import HTTPTypes
import Hummingbird
import Metrics
import Synchronization

/// Request metrics under the names and labels of Hummingbird's `MetricsMiddleware`
/// (`http.server.active_requests`, `hb.requests`, `http.server.request.duration`,
/// `hb.request.errors`), recorded once the response is ready.
///
/// Hummingbird's own middleware times the writing of the body too, by wrapping every
/// body in a closure; a wrapped body can no longer go out in one batch with its head,
/// so each response became three separately flushed writes (head, body, end: three
/// hops to the event loop and two `write(2)` calls) instead of one. Here the duration
/// ends when the handler has produced the response, and the body is left alone.
struct RequestMetricsMiddleware<Context: RequestContext>: RouterMiddleware {
    private let cache = MetricsCache()

    func handle(_ request: Request, context: Context, next: (Request, Context) async throws -> Response) async throws -> Response {
        let start = DispatchTime.now().uptimeNanoseconds
        let active = cache.activeRequests(request.method)
        active.increment()
        defer { active.decrement() }
        do {
            let response = try await next(request, context)
            let metrics = cache.endpoint(.init(route: context.endpointPath ?? "Unknown", method: request.method, status: response.status))
            metrics.requests.increment()
            metrics.duration.recordNanoseconds(Int64(DispatchTime.now().uptimeNanoseconds - start))
            return response
        } catch {
            let status = (error as? any HTTPResponseError)?.status ?? .internalServerError
            let metrics = cache.endpoint(.init(route: context.endpointPath ?? "NotFound", method: request.method, status: status))
            metrics.requests.increment()
            metrics.errors.increment()
            throw error
        }
    }
}

/// The metric objects of each method and of each (route, method, status), made once.
private final class MetricsCache: Sendable {
    struct EndpointID: Hashable {
        let route: String
        let method: HTTPRequest.Method
        let status: HTTPResponse.Status
    }

    struct EndpointMetrics: Sendable {
        let requests: Counter
        let duration: Timer
        let errors: Counter

        init(_ id: EndpointID) {
            let labels = [("http.route", id.route), ("http.request.method", id.method.rawValue)]
            let status = id.status.code.description
            requests = Counter(label: "hb.requests", dimensions: labels + [("http.response.status_code", status)])
            duration = Timer(label: "http.server.request.duration", dimensions: labels + [("http.response.status_code", status)],
                             preferredDisplayUnit: .seconds)
            errors = Counter(label: "hb.request.errors", dimensions: labels + [("error.type", status)])
        }
    }

    private let methods = Mutex<[HTTPRequest.Method: Meter]>([:])
    private let endpoints = Mutex<[EndpointID: EndpointMetrics]>([:])

    func activeRequests(_ method: HTTPRequest.Method) -> Meter {
        methods.withLock { cache in
            if let meter = cache[method] { return meter }
            let meter = Meter(label: "http.server.active_requests", dimensions: [("http.request.method", method.rawValue)])
            cache[method] = meter
            return meter
        }
    }

    func endpoint(_ id: EndpointID) -> EndpointMetrics {
        endpoints.withLock { cache in
            if let metrics = cache[id] { return metrics }
            let metrics = EndpointMetrics(id)
            cache[id] = metrics
            return metrics
        }
    }
}
