internal import Foundation

extension KeyStore {
    /// How many keys are in each state, for the metrics endpoint.
    ///
    /// - Returns: Counts by KMS state name (`Enabled`, `Disabled`, `PendingDeletion`);
    ///   states with no key are absent.
    /// - Throws: ``KeyStoreError`` with code `storageFailure`.
    public func keyCountsByState() throws -> [String: Int] {
        try read { db in
            var counts: [String: Int] = [:]
            for row in try db.rows(sql: "SELECT state, count(*) AS n FROM keys GROUP BY state") {
                counts[try row.decode(String.self, forColumn: "state")] = try row.decode(Int.self, forColumn: "n")
            }
            return counts
        }
    }
}
