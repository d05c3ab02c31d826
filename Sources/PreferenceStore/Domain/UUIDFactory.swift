import Foundation

enum UUIDFactory {
    /// Lower-case RFC 4122 v4, the form clients most often send themselves.
    static func make() -> String { UUID().uuidString.lowercased() }
}
