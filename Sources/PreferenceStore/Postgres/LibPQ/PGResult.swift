import CLibPQ
import Foundation

/// Owns one `PGresult`. Used on the connection's worker thread only; rows are decoded into Sendable values
/// before they leave it. Accessors assume the binary result format and the column types the query selects.
final class PGResult {
    let raw: OpaquePointer

    init(_ raw: OpaquePointer) { self.raw = raw }
    deinit { PQclear(raw) }

    var status: ExecStatusType { PQresultStatus(raw) }
    var rowCount: Int { Int(PQntuples(raw)) }
    var affectedRows: Int { Int(String(cString: PQcmdTuples(raw))) ?? 0 }

    func isNull(_ row: Int, _ column: Int) -> Bool { PQgetisnull(raw, Int32(row), Int32(column)) == 1 }

    func bytes(_ row: Int, _ column: Int) -> UnsafeRawBufferPointer {
        let length = Int(PQgetlength(raw, Int32(row), Int32(column)))
        guard let pointer = PQgetvalue(raw, Int32(row), Int32(column)) else { return UnsafeRawBufferPointer(start: nil, count: 0) }
        return UnsafeRawBufferPointer(start: pointer, count: length)
    }

    func int64(_ row: Int, _ column: Int) throws -> Int64 {
        let b = bytes(row, column)
        switch b.count {
        case 8: return PGBinary.readBigEndian(Int64.self, b, at: 0)
        case 4: return Int64(PGBinary.readBigEndian(Int32.self, b, at: 0))
        default: throw malformed("integer", column)
        }
    }

    func double(_ row: Int, _ column: Int) throws -> Double {
        let b = bytes(row, column)
        guard b.count == 8 else { throw malformed("float8", column) }
        return Double(bitPattern: PGBinary.readBigEndian(UInt64.self, b, at: 0))
    }

    func string(_ row: Int, _ column: Int) -> String {
        String(decoding: bytes(row, column), as: UTF8.self)
    }

    func optionalString(_ row: Int, _ column: Int) -> String? {
        isNull(row, column) ? nil : string(row, column)
    }

    func features(_ row: Int, _ column: Int) throws -> [Float] {
        guard let v = PGBinary.floats(littleEndian: bytes(row, column)) else { throw malformed("features", column) }
        return v
    }

    func optionalFeatures(_ row: Int, _ column: Int) throws -> [Float]? {
        isNull(row, column) ? nil : try features(row, column)
    }

    func date(_ row: Int, _ column: Int) throws -> Date {
        PGBinary.date(microsecondsSince2000: try int64(row, column))
    }

    func optionalDate(_ row: Int, _ column: Int) throws -> Date? {
        isNull(row, column) ? nil : try date(row, column)
    }

    func doubles(_ row: Int, _ column: Int) throws -> [Double] {
        guard let v = PGBinary.float8Array(bytes(row, column)) else { throw malformed("float8[]", column) }
        return v
    }

    func optionalDoubles(_ row: Int, _ column: Int) throws -> [Double]? {
        isNull(row, column) ? nil : try doubles(row, column)
    }

    private func malformed(_ type: String, _ column: Int) -> PreferenceStoreError {
        PreferenceStoreError(.internalError, "unexpected \(type) value in result column \(column)")
    }
}
