/// The shared-head outputs of one labelled pair (chosen ≻ rejected), reduced to what the user
/// state acts on. Computing them is the expensive part (the backbone-sized sgemms); once prepared,
/// each adapt iteration costs O(K²) per comparison. A service caches these per stored comparison
/// and passes them back into `adapt`. Valid only for the head (and head version) that made them.
public struct PreparedComparison: Sendable {
    /// Weight of this comparison in the loss (1 by default).
    public let weight: Double
    let features: PairFeatures
    let kind: HeadKind
    let stateDim: Int

    /// The reduced features as plain numbers (for caching outside the process or inspection).
    public var payloadCount: Int { features.payloadCount }
}

/// Per kind, the numbers the logit of a pair depends on besides θ.
enum PairFeatures: Sendable {
    /// bt: the margin itself (no user state).
    case fixed(Double)
    /// pal-b: c_k = (f̂(a) − f̂(b))·g_k(p), gram = G Gᵀ (K×K), s = logit scale.
    case cosine(c: [Double], gram: [Double], scale: Double)
    /// pal-a with a_u = wᵀP: p = P f(x) (K), n = ‖f(x)‖², gram = P Pᵀ.
    case idealPoint(pa: [Double], pb: [Double], na: Double, nb: Double, gram: [Double])
    /// pal-a with a_u = f(wᵀP): the projected items themselves (the objective runs f per θ).
    case projectedIdealPoint(fa: [Double], fb: [Double])
    /// gpm: c_i = v_a[2i] v_b[2i+1] − v_a[2i+1] v_b[2i], offset = prompt_head(p) (or 0), 1/τ.
    case blocks(cross: [Double], offset: [Double], inverseTau: Double)
    /// micro: d_k = r_k(a) − r_k(b), offset = router(p) (or its bias).
    case mixture(diff: [Double], offset: [Double])

    var payloadCount: Int {
        switch self {
        case .fixed: 1
        case let .cosine(c, gram, _): c.count + gram.count + 1
        case let .idealPoint(pa, pb, _, _, gram): pa.count + pb.count + 2 + gram.count
        case let .projectedIdealPoint(fa, fb): fa.count + fb.count
        case let .blocks(cross, offset, _): cross.count + offset.count + 1
        case let .mixture(diff, offset): diff.count + offset.count
        }
    }
}

/// h = logit P(a≻b) and its derivatives with respect to θ.
struct LogitDerivatives {
    var value: Double
    var gradient: [Double]
    /// K×K row-major; empty unless requested.
    var hessian: [Double]
}
