/// One local input the library uploaded for a generate (docs/journal.md, "Uploads"): its content
/// key (SHA-256 of the bytes and the file type), the upload host's URL, and when. A line of its
/// own kind in the journal, `{"v":2,"kind":"upload","key","url","time"}`: it has no `id` and no
/// `state`, so it is never a work item (kieimage 0.2 skips it as an unreadable line).
public struct UploadRecord: Sendable, Equatable {
    public var key: String
    public var url: String
    /// Wall-clock ms of the upload.
    public var time: Int64

    public init(key: String, url: String, time: Int64) {
        self.key = key
        self.url = url
        self.time = time
    }

    var line: JSONValue {
        ["v": 2, "kind": "upload", "key": .string(key), "url": .string(url), "time": .int(time)]
    }

    init?(line v: JSONValue) {
        guard v["kind"]?.stringValue == "upload", let key = v["key"]?.stringValue, let url = v["url"]?.stringValue,
              let time = v["time"]?.int64Value else { return nil }
        self.init(key: key, url: url, time: time)
    }
}
