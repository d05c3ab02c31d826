import Testing
import Tensors

struct FiniteTests {
    @Test(arguments: [Float.nan, .infinity, -.infinity, .signalingNaN])
    func findsABadValueAtEveryPosition(bad: Float) {
        for count in [1, 15, 16, 17, 33, 1024] {
            let clean = (0..<count).map { (Float($0 % 61) - 30) * 1e37 }  // large but finite
            #expect(Finite.all(clean))
            for position in 0..<count {
                var values = clean
                values[position] = bad
                #expect(!Finite.all(values), "count \(count), position \(position)")
                #expect(!Finite.all(values[position...]))
            }
        }
        #expect(Finite.all([Float]()))
        #expect(Finite.all([-0.0, .greatestFiniteMagnitude, -.greatestFiniteMagnitude, .leastNonzeroMagnitude]))
    }
}
