import Foundation
import GRDB
@testable import SigilKeyStore
import Testing

@Suite("Database settings")
struct DatabaseSettingsTests {
    @Test("the store writes in WAL mode with synchronous=FULL, foreign keys on")
    func walAndFullSynchronous() throws {
        let fixture = try StoreFixture()
        let database = try #require(fixture.store.database as? SQLiteDatabase).pool
        let writer = try database.write { db in
            (try String.fetchOne(db, sql: "PRAGMA journal_mode"), try Int.fetchOne(db, sql: "PRAGMA synchronous"))
        }
        // 2 is FULL (only the writer's setting matters: readers never commit).
        #expect(writer.0 == "wal" && writer.1 == 2)
        #expect(try database.read { db in try Bool.fetchOne(db, sql: "PRAGMA foreign_keys") } == true)
    }
}
