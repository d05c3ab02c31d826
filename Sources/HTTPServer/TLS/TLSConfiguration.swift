/// Server TLS settings. The defaults follow Mozilla's "intermediate" profile (v5.7):
/// TLS 1.2 and 1.3 only, AEAD suites with forward secrecy, X25519/P-256/P-384, the client's
/// cipher preference (all offered suites are strong).
public struct TLSConfiguration: Sendable {
    /// PEM file: the leaf certificate first, then intermediates.
    public var certificateChainPath: String
    /// PEM file with the unencrypted private key of the leaf.
    public var privateKeyPath: String
    /// ALPN protocols in server preference order.
    public var applicationProtocols: [String]
    public var tls12CipherList: String
    public var tls13CipherSuites: String
    public var groups: String

    public init(
        certificateChainPath: String, privateKeyPath: String,
        applicationProtocols: [String] = ["h2", "http/1.1"]
    ) {
        self.certificateChainPath = certificateChainPath
        self.privateKeyPath = privateKeyPath
        self.applicationProtocols = applicationProtocols
        self.tls12CipherList = Self.mozillaIntermediateTLS12Ciphers
        self.tls13CipherSuites = Self.mozillaIntermediateTLS13Suites
        self.groups = "X25519:prime256v1:secp384r1"
    }

    public static let mozillaIntermediateTLS12Ciphers = [
        "ECDHE-ECDSA-AES128-GCM-SHA256", "ECDHE-RSA-AES128-GCM-SHA256",
        "ECDHE-ECDSA-AES256-GCM-SHA384", "ECDHE-RSA-AES256-GCM-SHA384",
        "ECDHE-ECDSA-CHACHA20-POLY1305", "ECDHE-RSA-CHACHA20-POLY1305",
        "DHE-RSA-AES128-GCM-SHA256", "DHE-RSA-AES256-GCM-SHA384", "DHE-RSA-CHACHA20-POLY1305",
    ].joined(separator: ":")

    public static let mozillaIntermediateTLS13Suites =
        "TLS_AES_128_GCM_SHA256:TLS_AES_256_GCM_SHA384:TLS_CHACHA20_POLY1305_SHA256"
}
