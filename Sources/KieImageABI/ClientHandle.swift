import CKieImage
import KieImage

/// What a kie_client * points to. Borrowed by every call with takeUnretainedValue; only
/// kie_client_free releases it.
final class ClientHandle: Sendable {
    let client: KieClient
    let operations: Operations

    init(client: KieClient) {
        self.client = client
        operations = Operations(queueMode: client.config.delivery == "queue")
    }

    static func borrow(_ ref: kie_client_ref?) throws(KieError) -> ClientHandle {
        guard let ref else { throw .invalidArgument("client is NULL", field: "client") }
        return Unmanaged<ClientHandle>.fromOpaque(UnsafeRawPointer(ref)).takeUnretainedValue()
    }
}
