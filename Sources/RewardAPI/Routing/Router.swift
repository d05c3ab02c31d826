import HTTPServer

/// Method + path-template routing (`/v1/users/{user}/adapt`). Templates are also the metric and
/// log labels, so ids never become label values. A path that exists with another method yields
/// the `Allow` list for a 405; OPTIONS and HEAD are derived by the caller.
public struct Router<Handler: Sendable>: Sendable {
    public enum Match {
        case found(handler: Handler, template: String, parameters: RouteParameters)
        case methodNotAllowed(allow: [HTTPMethod])
        case notFound
        /// A path parameter that is not valid percent-encoded UTF-8.
        case badParameter(name: String)
    }

    private enum Segment: Sendable, Equatable {
        case literal(String)
        case parameter(String)
    }

    private struct Route: Sendable {
        let method: HTTPMethod
        let template: String
        let segments: [Segment]
        let handler: Handler
    }

    private struct StaticKey: Hashable {
        let method: HTTPMethod
        let path: String
    }

    private var routes: [Route] = []
    /// Routes without parameters, by method and exact path, that no earlier route shadows: the
    /// scoring routes, which most requests hit, are found with one lookup and no path split.
    private var staticRoutes: [StaticKey: Int] = [:]

    public init() {}

    public mutating func add(_ method: HTTPMethod, _ template: String, _ handler: Handler) {
        let segments = Self.split(template[...]).map { s -> Segment in
            s.hasPrefix("{") && s.hasSuffix("}") ? .parameter(String(s.dropFirst().dropLast())) : .literal(String(s))
        }
        let isStatic = segments.allSatisfy { if case .literal = $0 { true } else { false } }
        // An earlier route that already answers this path keeps it: declaration order decides.
        let isShadowed = { if case .found = match(method, template[...]) { true } else { false } }()
        if isStatic && !isShadowed {
            staticRoutes[StaticKey(method: method, path: template)] = routes.count
        }
        routes.append(Route(method: method, template: template, segments: segments, handler: handler))
    }

    public func match(_ method: HTTPMethod, _ path: Substring) -> Match {
        if let index = staticRoutes[StaticKey(method: method, path: String(path))] {
            let route = routes[index]
            return .found(handler: route.handler, template: route.template, parameters: RouteParameters())
        }
        let parts = Self.split(path)
        var allow: [HTTPMethod] = []
        for route in routes where route.segments.count == parts.count {
            var raw: [(String, Substring)] = []
            var matches = true
            for (segment, part) in zip(route.segments, parts) {
                switch segment {
                case .literal(let l) where l == part: continue
                case .literal: matches = false
                case .parameter(let name): raw.append((name, part))
                }
                if !matches { break }
            }
            guard matches else { continue }
            guard route.method == method || (method == .head && route.method == .get) else {
                if !allow.contains(route.method) { allow.append(route.method) }
                continue
            }
            var parameters = RouteParameters()
            for (name, value) in raw {
                guard let decoded = Self.percentDecode(value), !decoded.isEmpty else { return .badParameter(name: name) }
                parameters.values[name] = decoded
            }
            return .found(handler: route.handler, template: route.template, parameters: parameters)
        }
        if allow.isEmpty { return .notFound }
        if allow.contains(.get) && !allow.contains(.head) { allow.append(.head) }
        return .methodNotAllowed(allow: allow)
    }

    /// The route table in declaration order (tests walk it so every new route is covered).
    public var table: [(method: HTTPMethod, template: String, handler: Handler)] {
        routes.map { ($0.method, $0.template, $0.handler) }
    }

    /// Every method a path template accepts (for CORS preflight answers).
    public func methods(for path: Substring) -> [HTTPMethod] {
        switch match(HTTPMethod(rawValue: "\u{0}"), path) {
        case .methodNotAllowed(let allow): allow
        default: []
        }
    }

    private static func split(_ path: Substring) -> [Substring] {
        path.split(separator: "/", omittingEmptySubsequences: false).dropFirst().map { $0 }
    }

    /// RFC 3986 percent-decoding into UTF-8; nil for a bad escape or invalid UTF-8.
    static func percentDecode(_ s: Substring) -> String? {
        guard s.utf8.contains(UInt8(ascii: "%")) else { return String(s) }
        var out: [UInt8] = []
        var it = s.utf8.makeIterator()
        while let c = it.next() {
            guard c == UInt8(ascii: "%") else { out.append(c); continue }
            guard let h = it.next().flatMap(hexValue), let l = it.next().flatMap(hexValue) else { return nil }
            out.append(h << 4 | l)
        }
        return String(validating: out, as: UTF8.self)
    }

    private static func hexValue(_ c: UInt8) -> UInt8? {
        switch c {
        case UInt8(ascii: "0")...UInt8(ascii: "9"): c - UInt8(ascii: "0")
        case UInt8(ascii: "a")...UInt8(ascii: "f"): c - UInt8(ascii: "a") + 10
        case UInt8(ascii: "A")...UInt8(ascii: "F"): c - UInt8(ascii: "A") + 10
        default: nil
        }
    }
}

public struct RouteParameters: Sendable {
    var values: [String: String] = [:]
    public subscript(name: String) -> String? { values[name] }
}
