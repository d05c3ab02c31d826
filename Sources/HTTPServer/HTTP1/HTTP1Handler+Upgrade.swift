/// `Upgrade: h2c` (RFC 7540 §3.2): an HTTP/1.1 request without a body that offers h2c with one
/// valid `HTTP2-Settings` field gets `101 Switching Protocols`, and is answered as HTTP/2 stream 1.
/// Anything else about the offer (TLS, a body, a bad settings value) keeps HTTP/1.1, as the RFC allows.
extension HTTP1Handler {
    /// Returns true when the connection now belongs to an `HTTP2Handler`.
    func upgradeToHTTP2IfOffered(_ head: RequestHead, _ request: Request) -> Bool {
        guard let upgrade = head.upgrade, server.configuration.http2.isEnabled, !connection.isTLS,
            head.version == .http1_1, head.framing == .none,
            upgrade.split(separator: ",").contains(where: { $0.trimmingSpaces.equalsIgnoringASCIICase("h2c") }),
            request.headers.values(for: "http2-settings").count == 1,
            let settings = request.headers["http2-settings"], HTTP2Upgrade.decodeSettings(settings) != nil
        else { return false }
        var upgraded = request
        for name in ["connection", "upgrade", "http2-settings"] { upgraded.headers.remove(name) }
        connection.writeOutput {
            $0.append("HTTP/1.1 101 Switching Protocols\r\nConnection: Upgrade\r\nUpgrade: h2c\r\n\r\n" as StaticString)
        }
        do {
            let handler = try HTTP2Handler(connection: connection, server: server)
            connection.switchHandler(to: handler)
            try handler.startUpgraded(http2Settings: settings, request: upgraded)
        } catch {
            server.logger.error("cannot start HTTP/2 after Upgrade", metadata: ["error": "\(error)"])
            connection.close(.now)
        }
        return true
    }
}

extension Substring {
    fileprivate var trimmingSpaces: String {
        String(drop { $0 == " " || $0 == "\t" }.reversed().drop { $0 == " " || $0 == "\t" }.reversed())
    }
}
