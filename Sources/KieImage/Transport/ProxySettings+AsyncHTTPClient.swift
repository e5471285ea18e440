import AsyncHTTPClient

/// A proxy server as AsyncHTTPClient takes it (CONNECT, basic credentials). Apart from
/// ProxySettings.swift so that the settings stay free of the transport (Tests/fuzz/build.sh).
extension ProxySettings.Server {
    var configuration: HTTPClient.Configuration.Proxy {
        let bare = host.hasPrefix("[") && host.hasSuffix("]") ? String(host.dropFirst().dropLast()) : host
        guard let user else { return .server(host: bare, port: port) }
        return .server(host: bare, port: port, authorization: .basic(username: user, password: password ?? ""))
    }
}
