/// The API host's JSON envelope and the default `msg` per code (docs/kie-api.md §1).
extension Simulator {
    /// `{"code":..,"msg":..,"data":..}` with `data` already serialized.
    static func envelope(code: Int, msg: String, data: String = "null") -> String {
        var out = "{\"code\":\(code),\"msg\":"
        SimJSON.writeString(msg, into: &out)
        out += ",\"data\":" + data + "}"
        return out
    }

    static func defaultMessage(_ code: Int) -> String {
        switch code {
        case 200: return "success"
        case 400: return "The parameter is not in a valid JSON format"
        case 401: return "You do not have access permissions"
        case 402: return "The current credits are insufficient. Please top up."
        case 404: return "Not Found"
        case 408: return "Upstream is currently experiencing service issues. No result has been returned for over 10 minutes."
        case 422: return "Validation Error"
        case 429: return "The request rate limit has been exceeded. Please try again later."
        case 433: return "Request Limit \u{2013} Sub-key Usage Exceeds Limit"
        case 451: return "Failed to fetch the image"
        case 455: return "The system is currently undergoing maintenance. Please try again later."
        case 500: return "Server Error"
        case 501: return "Generation failed"
        case 503: return "Service Unavailable"
        case 505: return "The feature is disabled"
        case 550: return "Connection denied: the task was rejected because the queue is full"
        default: return "Error"
        }
    }
}
