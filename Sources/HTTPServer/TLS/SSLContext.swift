import COpenSSL
#if canImport(Glibc)
import Glibc
#endif

/// Owns one `SSL_CTX`. Immutable once built, so it is shared by every connection's `SSL`
/// object; a certificate reload builds a new one instead of mutating this.
/// `@unchecked Sendable`: OpenSSL documents a configured SSL_CTX as safe to use from many
/// threads for `SSL_new`, and nothing here mutates it after `init`.
final class SSLContext: @unchecked Sendable {
    let raw: OpaquePointer
    /// ALPN protocols in wire format (length-prefixed), read by the selection callback
    /// through the callback's `arg`. Lives as long as `raw` does (sessions retain `self`).
    private let alpnWire: UnsafeMutableBufferPointer<UInt8>

    /// A server context from a certificate chain and key file (see `TLSConfiguration`).
    init(server configuration: TLSConfiguration) throws {
        _ = TLSError.drainErrorQueue()
        guard let ctx = SSL_CTX_new(TLS_server_method()) else {
            throw TLSError(.configuration, "cannot create an OpenSSL context")
        }
        raw = ctx
        alpnWire = Self.wireFormat(configuration.applicationProtocols)
        try applyProtocolPolicy(configuration)
        try loadCredentials(configuration)
        SSL_CTX_set_alpn_select_cb(raw, { _, out, outLength, clientList, clientLength, arg in
            SSLContext.selectALPN(arg, out, outLength, clientList, clientLength)
        }, Unmanaged.passUnretained(self).toOpaque())
    }

    /// A client context for tests and probes: verifies the peer against `trustedCAPath`.
    init(clientTrusting trustedCAPath: String, applicationProtocols: [String]) throws {
        _ = TLSError.drainErrorQueue()
        guard let ctx = SSL_CTX_new(TLS_client_method()) else {
            throw TLSError(.configuration, "cannot create an OpenSSL context")
        }
        raw = ctx
        alpnWire = Self.wireFormat(applicationProtocols)
        _ = COpenSSL_SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION)
        guard SSL_CTX_load_verify_locations(raw, trustedCAPath, nil) == 1 else {
            throw TLSError(.certificate, "cannot load trusted CA certificates from \(trustedCAPath)")
        }
        SSL_CTX_set_verify(raw, SSL_VERIFY_PEER, nil)
    }

    deinit {
        SSL_CTX_free(raw)
        alpnWire.deallocate()
    }

    var alpnProtocolList: UnsafeBufferPointer<UInt8> { UnsafeBufferPointer(alpnWire) }

    private func applyProtocolPolicy(_ configuration: TLSConfiguration) throws {
        guard COpenSSL_SSL_CTX_set_min_proto_version(raw, TLS1_2_VERSION) == 1,
            COpenSSL_SSL_CTX_set_max_proto_version(raw, TLS1_3_VERSION) == 1
        else { throw TLSError(.configuration, "cannot restrict TLS versions to 1.2 and 1.3") }
        // No compression (CRIME), no renegotiation (a DoS lever, and forbidden under HTTP/2),
        // client cipher order (Mozilla intermediate: every offered suite is strong).
        let options = COpenSSL_SSL_OP_NO_COMPRESSION | COpenSSL_SSL_OP_NO_RENEGOTIATION
        _ = COpenSSL_SSL_CTX_set_options(raw, UInt(options))
        guard SSL_CTX_set_cipher_list(raw, configuration.tls12CipherList) == 1 else {
            throw TLSError(.configuration, "invalid TLS 1.2 cipher list")
        }
        guard SSL_CTX_set_ciphersuites(raw, configuration.tls13CipherSuites) == 1 else {
            throw TLSError(.configuration, "invalid TLS 1.3 cipher suites")
        }
        guard COpenSSL_SSL_CTX_set1_groups_list(raw, configuration.groups) == 1 else {
            throw TLSError(.configuration, "invalid key exchange groups")
        }
        // DHE suites use a group sized to the certificate key (≥ 2048 bits for RSA-2048).
        _ = COpenSSL_SSL_CTX_set_dh_auto(raw, 1)
        // Not SSL_MODE_RELEASE_BUFFERS: it frees and reallocates the record buffers on every
        // read cycle of a busy connection (malloc churn in the profile) to save 34 KiB when idle.
    }

    private func loadCredentials(_ configuration: TLSConfiguration) throws {
        let certPath = configuration.certificateChainPath
        let keyPath = configuration.privateKeyPath
        try Self.checkReadable(certPath, what: "certificate", code: .certificate)
        try Self.checkReadable(keyPath, what: "private key", code: .privateKey)
        // Never prompt on the terminal for a passphrase: an encrypted key is a startup error.
        SSL_CTX_set_default_passwd_cb(raw) { _, _, _, _ in 0 }
        guard SSL_CTX_use_PrivateKey_file(raw, keyPath, SSL_FILETYPE_PEM) == 1 else {
            throw TLSError(
                .privateKey,
                "cannot load the private key from \(keyPath): not an unencrypted PEM private key")
        }
        // Key first: loading the certificate then drops a key that does not match it, which
        // check_private_key reports as the mismatch it is (not as an unreadable key).
        guard SSL_CTX_use_certificate_chain_file(raw, certPath) == 1 else {
            throw TLSError(.certificate, "cannot load the certificate chain from \(certPath): not a PEM certificate")
        }
        guard SSL_CTX_check_private_key(raw) == 1 else {
            throw TLSError(
                .keyMismatch, "the private key in \(keyPath) does not match the certificate in \(certPath)")
        }
    }

    private static func checkReadable(_ path: String, what: String, code: TLSError.Code) throws {
        guard access(path, R_OK) == 0 else {
            let reason = String(cString: strerror(errno))
            throw TLSError(code, "cannot read the \(what) file \(path): \(reason)", openSSLErrors: [])
        }
    }

    private static func wireFormat(_ protocols: [String]) -> UnsafeMutableBufferPointer<UInt8> {
        var wire: [UInt8] = []
        for name in protocols {
            let bytes = Array(name.utf8)
            precondition(!bytes.isEmpty && bytes.count < 256, "ALPN protocol names are 1…255 bytes")
            wire.append(UInt8(bytes.count))
            wire.append(contentsOf: bytes)
        }
        let buffer = UnsafeMutableBufferPointer<UInt8>.allocate(capacity: max(wire.count, 1))
        _ = buffer.initialize(from: wire)
        return UnsafeMutableBufferPointer(rebasing: buffer[0..<wire.count])
    }

    /// The ALPN selection callback's body: the first server protocol the client also offers.
    /// A client that offers ALPN but none of ours gets a `no_application_protocol` alert
    /// (RFC 7301 §3.2); a client without ALPN never reaches here and gets HTTP/1.1.
    private static func selectALPN(
        _ arg: UnsafeMutableRawPointer?,
        _ out: UnsafeMutablePointer<UnsafePointer<UInt8>?>?,
        _ outLength: UnsafeMutablePointer<UInt8>?,
        _ clientList: UnsafePointer<UInt8>?, _ clientLength: UInt32
    ) -> Int32 {
        let context = Unmanaged<SSLContext>.fromOpaque(arg!).takeUnretainedValue()
        let server = context.alpnWire
        var selected: UnsafeMutablePointer<UInt8>?
        let result = SSL_select_next_proto(
            &selected, outLength, server.baseAddress, UInt32(server.count), clientList, clientLength)
        guard result == OPENSSL_NPN_NEGOTIATED, let selected else { return SSL_TLSEXT_ERR_ALERT_FATAL }
        out?.pointee = UnsafePointer(selected)
        return SSL_TLSEXT_ERR_OK
    }
}
