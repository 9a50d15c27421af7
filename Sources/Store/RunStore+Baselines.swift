import GRDB

extension RunStore {
    /// Stores a version of baseline `name` (its file's JSON text) and returns its id.
    public func recordBaseline(name: String, content: String, host: String, toolVersion: String) throws(StoreError) -> Int64 {
        try write("recording baseline \(name)") { db in
            try db.execute(sql: "INSERT INTO baselines (name, host, tool_version, content) VALUES (?, ?, ?, ?)",
                           arguments: [name, host, toolVersion, content])
            return db.lastInsertedRowID
        }
    }

    /// The latest version of baseline `name` (its file's JSON text), or nil when none was saved.
    public func latestBaseline(name: String) throws(StoreError) -> String? {
        try read("reading baseline \(name)") { db in
            try String.fetchOne(db, sql: "SELECT content FROM baselines WHERE name = ? ORDER BY id DESC LIMIT 1", arguments: [name])
        }
    }
}
