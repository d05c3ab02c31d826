import PreferenceStore

// PreferenceStore and RewardModel both export a `UserState`; this file sees only the store's.
typealias StoredUserState = UserState

extension ScoringError {
    /// The store's error codes carry over one to one; messages stay generic (no SQL details).
    init(store error: PreferenceStoreError) {
        switch error.code {
        case .unavailable: self.init(.unavailable, "the preference store is unavailable; retry shortly")
        case .timeout: self.init(.timeout, "the preference store did not answer in time; retry shortly")
        case .conflict: self.init(.conflict, error.message)
        case .notFound: self.init(.notFound, error.message)
        case .invalidInput: self.init(.invalidInput, error.message)
        case .overloaded: self.init(.overloaded, "the preference store is busy; retry shortly")
        default: self.init(.internal, "preference store failure")
        }
    }
}

/// Runs a store call and converts its failures to `ScoringError`.
func storeCall<T>(_ body: () async throws -> T) async throws(ScoringError) -> T {
    do {
        return try await RequestTiming.measure(.store, body)
    } catch let e as PreferenceStoreError {
        throw ScoringError(store: e)
    } catch let e as ScoringError {
        throw e
    } catch {
        throw ScoringError(.internal, "preference store failure: \(error)")
    }
}
