// C API section 7. Account
import CKieImage
import KieImage

/// Remaining credits (a decimal; the API sends e.g. 5916.25) in *out_credits.
/// Blocking: never call from a callback.
@c(kie_credits)
public func kieCredits(_ c: kie_client_ref?, _ outCredits: UnsafeMutablePointer<Double>?) -> kie_status {
    withStatus {
        let out = try requireOut(outCredits, "out_credits")
        out.pointee = 0
        let handle = try ClientHandle.borrow(c)
        out.pointee = try blocking { _ in try await handle.client.credits() }.get()
    }
}
