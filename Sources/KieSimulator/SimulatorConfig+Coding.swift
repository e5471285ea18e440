import FoundationEssentials

/// The JSON form of the configuration (kie-sim --config, /_sim/config): every key optional,
/// an absent key keeps its default.
extension SimulatorConfig {
    enum CodingKeys: String, CodingKey, CaseIterable {
        case host, port, uploadPort, filePort, apiKeys, creditsPerVariant, refundOnFailure, accountId
        case generationMs, generation, progressMode, resultUrlsKey, failureRates, createTaskFailedFlag
        case generateFailedFlag, errorCodeType, failureResponse, timeFormat, omitStatusWhileGenerating
        case roundTimesToSeconds, unknownTaskMode, unauthorizedStyle, nVariantsMode, promptDirectives, generateLimit
        case recordInfoPerTaskPerSecond, rateLimitStyle, errorHttpStatus, webhookKey, callbackTimeoutMs
        case callbackRetries, callbackRetryDelayMs, callbackDuplicates, callbackSuccessMsg
        case callbackTaskIdStyle, allowNonLoopbackCallbacks, resultRetentionMs, downloadUrlTtlMs
        case uploadRetentionMs, maxBodyBytes, faults
        case marketRecordShape, marketGenerationMs, marketWaitingMs, marketTransientNotFound, marketDefaultCredits
        case marketMaxImageSide, callbackFaults
    }

    /// Names of every key, for rejecting unknown ones in files and admin calls.
    public static var keyNames: [String] { CodingKeys.allCases.map(\.stringValue) }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let d = SimulatorConfig()
        func v<T: Decodable>(_ key: CodingKeys, _ fallback: T) throws -> T {
            try c.decodeIfPresent(T.self, forKey: key) ?? fallback
        }
        host = try v(.host, d.host)
        port = try v(.port, d.port)
        uploadPort = try v(.uploadPort, d.uploadPort)
        filePort = try v(.filePort, d.filePort)
        apiKeys = try v(.apiKeys, d.apiKeys)
        creditsPerVariant = try v(.creditsPerVariant, d.creditsPerVariant)
        refundOnFailure = try v(.refundOnFailure, d.refundOnFailure)
        accountId = try v(.accountId, d.accountId)
        generationMs = try v(.generationMs, d.generationMs)
        generation = try c.decodeIfPresent(GenerationDistribution.self, forKey: .generation)
        progressMode = try v(.progressMode, d.progressMode)
        resultUrlsKey = try v(.resultUrlsKey, d.resultUrlsKey)
        failureRates = try v(.failureRates, d.failureRates)
        createTaskFailedFlag = try v(.createTaskFailedFlag, d.createTaskFailedFlag)
        generateFailedFlag = try v(.generateFailedFlag, d.generateFailedFlag)
        errorCodeType = try v(.errorCodeType, d.errorCodeType)
        failureResponse = try v(.failureResponse, d.failureResponse)
        timeFormat = try v(.timeFormat, d.timeFormat)
        omitStatusWhileGenerating = try v(.omitStatusWhileGenerating, d.omitStatusWhileGenerating)
        roundTimesToSeconds = try v(.roundTimesToSeconds, d.roundTimesToSeconds)
        unknownTaskMode = try v(.unknownTaskMode, d.unknownTaskMode)
        unauthorizedStyle = try v(.unauthorizedStyle, d.unauthorizedStyle)
        nVariantsMode = try v(.nVariantsMode, d.nVariantsMode)
        promptDirectives = try v(.promptDirectives, d.promptDirectives)
        generateLimit = try v(.generateLimit, d.generateLimit)
        recordInfoPerTaskPerSecond = try v(.recordInfoPerTaskPerSecond, d.recordInfoPerTaskPerSecond)
        rateLimitStyle = try v(.rateLimitStyle, d.rateLimitStyle)
        errorHttpStatus = try v(.errorHttpStatus, d.errorHttpStatus)
        webhookKey = try c.decodeIfPresent(String.self, forKey: .webhookKey)
        callbackTimeoutMs = try v(.callbackTimeoutMs, d.callbackTimeoutMs)
        callbackRetries = try v(.callbackRetries, d.callbackRetries)
        callbackRetryDelayMs = try v(.callbackRetryDelayMs, d.callbackRetryDelayMs)
        callbackDuplicates = try v(.callbackDuplicates, d.callbackDuplicates)
        callbackSuccessMsg = try v(.callbackSuccessMsg, d.callbackSuccessMsg)
        callbackTaskIdStyle = try v(.callbackTaskIdStyle, d.callbackTaskIdStyle)
        allowNonLoopbackCallbacks = try v(.allowNonLoopbackCallbacks, d.allowNonLoopbackCallbacks)
        resultRetentionMs = try v(.resultRetentionMs, d.resultRetentionMs)
        downloadUrlTtlMs = try v(.downloadUrlTtlMs, d.downloadUrlTtlMs)
        uploadRetentionMs = try v(.uploadRetentionMs, d.uploadRetentionMs)
        maxBodyBytes = try v(.maxBodyBytes, d.maxBodyBytes)
        faults = try v(.faults, d.faults)
        marketRecordShape = try v(.marketRecordShape, d.marketRecordShape)
        marketGenerationMs = try c.decodeIfPresent(Int.self, forKey: .marketGenerationMs)
        marketWaitingMs = try v(.marketWaitingMs, d.marketWaitingMs)
        marketTransientNotFound = try v(.marketTransientNotFound, d.marketTransientNotFound)
        marketDefaultCredits = try v(.marketDefaultCredits, d.marketDefaultCredits)
        marketMaxImageSide = try v(.marketMaxImageSide, d.marketMaxImageSide)
        callbackFaults = try v(.callbackFaults, d.callbackFaults)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(host, forKey: .host)
        try c.encode(port, forKey: .port)
        try c.encode(uploadPort, forKey: .uploadPort)
        try c.encode(filePort, forKey: .filePort)
        try c.encode(apiKeys, forKey: .apiKeys)
        try c.encode(creditsPerVariant, forKey: .creditsPerVariant)
        try c.encode(refundOnFailure, forKey: .refundOnFailure)
        try c.encode(accountId, forKey: .accountId)
        try c.encode(generationMs, forKey: .generationMs)
        try c.encodeIfPresent(generation, forKey: .generation)
        try c.encode(progressMode, forKey: .progressMode)
        try c.encode(resultUrlsKey, forKey: .resultUrlsKey)
        try c.encode(failureRates, forKey: .failureRates)
        try c.encode(createTaskFailedFlag, forKey: .createTaskFailedFlag)
        try c.encode(generateFailedFlag, forKey: .generateFailedFlag)
        try c.encode(errorCodeType, forKey: .errorCodeType)
        try c.encode(failureResponse, forKey: .failureResponse)
        try c.encode(timeFormat, forKey: .timeFormat)
        try c.encode(omitStatusWhileGenerating, forKey: .omitStatusWhileGenerating)
        try c.encode(roundTimesToSeconds, forKey: .roundTimesToSeconds)
        try c.encode(unknownTaskMode, forKey: .unknownTaskMode)
        try c.encode(unauthorizedStyle, forKey: .unauthorizedStyle)
        try c.encode(nVariantsMode, forKey: .nVariantsMode)
        try c.encode(promptDirectives, forKey: .promptDirectives)
        try c.encode(generateLimit, forKey: .generateLimit)
        try c.encode(recordInfoPerTaskPerSecond, forKey: .recordInfoPerTaskPerSecond)
        try c.encode(rateLimitStyle, forKey: .rateLimitStyle)
        try c.encode(errorHttpStatus, forKey: .errorHttpStatus)
        try c.encodeIfPresent(webhookKey, forKey: .webhookKey)
        try c.encode(callbackTimeoutMs, forKey: .callbackTimeoutMs)
        try c.encode(callbackRetries, forKey: .callbackRetries)
        try c.encode(callbackRetryDelayMs, forKey: .callbackRetryDelayMs)
        try c.encode(callbackDuplicates, forKey: .callbackDuplicates)
        try c.encode(callbackSuccessMsg, forKey: .callbackSuccessMsg)
        try c.encode(callbackTaskIdStyle, forKey: .callbackTaskIdStyle)
        try c.encode(allowNonLoopbackCallbacks, forKey: .allowNonLoopbackCallbacks)
        try c.encode(resultRetentionMs, forKey: .resultRetentionMs)
        try c.encode(downloadUrlTtlMs, forKey: .downloadUrlTtlMs)
        try c.encode(uploadRetentionMs, forKey: .uploadRetentionMs)
        try c.encode(maxBodyBytes, forKey: .maxBodyBytes)
        try c.encode(faults, forKey: .faults)
        try c.encode(marketRecordShape, forKey: .marketRecordShape)
        try c.encodeIfPresent(marketGenerationMs, forKey: .marketGenerationMs)
        try c.encode(marketWaitingMs, forKey: .marketWaitingMs)
        try c.encode(marketTransientNotFound, forKey: .marketTransientNotFound)
        try c.encode(marketDefaultCredits, forKey: .marketDefaultCredits)
        try c.encode(marketMaxImageSide, forKey: .marketMaxImageSide)
        try c.encode(callbackFaults, forKey: .callbackFaults)
    }
}
