/// The five head kinds of DESIGN §3.
public enum HeadKind: String, Sendable, Codable, CaseIterable {
    /// Population Bradley–Terry: MLP → scalar, no user state.
    case bt
    /// PAL-A: ideal point, r = −‖f(x) − a_u‖.
    case palA = "pal-a"
    /// PAL-B: r = s · cos(f(x), Σ_k w_k g_k(p)).
    case palB = "pal-b"
    /// General preference model: skew-symmetric blocks, handles cycles; no scalar score.
    case gpm
    /// MiCRo: mixture of linear BT heads with a router.
    case micro

    /// Whether the kind has a scalar score (gpm has only pairwise preferences).
    public var hasScalarScore: Bool { self != .gpm }

    /// Whether a user state exists (bt is the population baseline).
    public var isPersonalized: Bool { self != .bt }
}
