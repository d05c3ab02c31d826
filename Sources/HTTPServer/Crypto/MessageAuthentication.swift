import COpenSSL

/// HMAC for the layers above (webhook signatures). It lives here because this module is the one importer
/// of OpenSSL; nothing about it is HTTP-specific.
public enum MessageAuthentication {
    /// HMAC-SHA256 of `message` under `key` (32 bytes).
    public static func hmacSHA256(key: [UInt8], message: [UInt8]) -> [UInt8] {
        var out = [UInt8](repeating: 0, count: 32)
        var length = 0
        let result = key.withUnsafeBytes { k in
            message.withUnsafeBytes { m in
                out.withUnsafeMutableBytes { o in
                    // A zero-length key must still be a valid pointer for OpenSSL.
                    EVP_Q_mac(nil, "HMAC", nil, "SHA256", nil, k.baseAddress ?? UnsafeRawPointer(o.baseAddress!), k.count,
                              m.baseAddress?.assumingMemoryBound(to: UInt8.self), m.count,
                              o.baseAddress?.assumingMemoryBound(to: UInt8.self), 32, &length)
                }
            }
        }
        // Fails only when OpenSSL cannot allocate or lacks SHA-256: not a runtime condition to handle.
        precondition(result != nil && length == 32, "EVP_Q_mac(HMAC-SHA256) failed")
        return out
    }
}
