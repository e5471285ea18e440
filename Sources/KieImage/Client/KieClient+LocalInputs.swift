import Crypto
import FoundationEssentials

extension KieClient {
    /// The request with its local files uploaded (docs/inputs-proxies-budget.md, "Local files as inputs"): every
    /// file is checked first (nothing is uploaded when one fails), then each distinct content not
    /// uploaded in the last 23 hours (journal or memory) goes to the upload host, and its URL
    /// replaces the file in the body. Uploads are free: one cut short is simply done again.
    func uploadingLocalInputs(_ validated: ValidatedRequest) async throws -> ValidatedRequest {
        let refs = LocalInputs.refs(in: validated)
        guard !refs.isEmpty else { return validated }
        var files: [String: (bytes: [UInt8], type: String)] = [:]
        for ref in refs where files[ref.path] == nil { files[ref.path] = try LocalInputs.read(ref) }
        var urls: [String: String] = [:]
        for (path, file) in files.sorted(by: { $0.key < $1.key }) {
            urls[path] = try await uploadedURL(bytes: file.bytes, type: file.type)
        }
        return LocalInputs.rewrite(validated) { urls[$0.path] }
    }

    /// The URL of content on the upload host: an upload of the same bytes (SHA-256) in the last
    /// 23 hours, else a new one, recorded in the journal (or, without one, in memory). The front
    /// ends' `bytes` and file objects come here too. `type` is the file type (png, jpg, ...).
    /// Concurrent calls with the same new content share one upload.
    public func uploadedURL(bytes: [UInt8], type: String) async throws -> String {
        let key = "sha256:" + SHA256.hash(data: bytes).map { String($0, radix: 16).leftPadded(to: 2) }.joined()
        if let known = journal?.upload(key: key) ?? uploads.withLock({ $0[key] }), Clock.nowMs() - known.time < LocalInputs.reuseMs {
            return known.url
        }
        // With a ledger, every process of the account shares the map (its clock keeps the time).
        if let ledger, let url = try? await ledger.upload(digest: key) { return url }
        let upload = uploading.withLock { map -> Task<String, any Error> in
            if let running = map[key] { return running }
            let task = Task {
                defer { self.uploading.withLock { _ = $0.removeValue(forKey: key) } }
                return try await self.uploadNew(bytes: bytes, type: type, key: key)
            }
            map[key] = task
            return task
        }
        return try await upload.value
    }

    private func uploadNew(bytes: [UInt8], type: String, key: String) async throws -> String {
        let now = Clock.nowMs()
        var options = UploadOptions()
        options.uploadPath = "kieimage/inputs"
        // Named by content: re-using a name overwrites (docs/kie-api.md §6), and the same bytes may.
        let name = String(key.dropFirst(7).prefix(32)) + "." + type
        let file = try await upload(bytes: bytes, name: name, options: options)
        let record = UploadRecord(key: key, url: file.downloadUrl, time: now)
        uploads.withLock { $0[key] = record }
        do { try journal?.recordUpload(record) } catch {
            logger.warning("journal: could not record an upload; it will be uploaded again", metadata: ["reason": "\(error.message)"])
        }
        do { try await ledger?.putUpload(digest: key, url: file.downloadUrl, keepMs: LocalInputs.reuseMs) } catch {
            logger.warning("ledger: could not record an upload; it will be uploaded again", metadata: ["reason": "\(error.message)"])
        }
        logger.debug("local input uploaded", metadata: ["key": "\(key)"])
        return file.downloadUrl
    }
}
