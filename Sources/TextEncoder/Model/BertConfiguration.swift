import Foundation

/// The parts of a BERT model directory's configuration the encoder needs: `config.json` (shape),
/// `1_Pooling/config.json` (pooling mode) and, when present, `sentence_bert_config.json`
/// (max sequence length; the 256 otherwise).
public struct BertConfiguration: Sendable, Equatable {
    public enum Pooling: String, Sendable {
        case mean, cls, max, meanSqrtLength
    }

    public var vocabularySize: Int
    public var hiddenSize: Int
    public var layerCount: Int
    public var headCount: Int
    public var intermediateSize: Int
    public var maxPositions: Int
    public var typeVocabularySize: Int
    public var layerNormEpsilon: Float
    public var pooling: Pooling
    /// Tokens per text, `[CLS]` and `[SEP]` included.
    public var maxTokens: Int

    public var headSize: Int { hiddenSize / headCount }

    public static func load(directory: String) throws -> BertConfiguration {
        let config = try readObject(directory + "/config.json")
        func int(_ key: String) throws -> Int {
            guard let v = config[key] as? NSNumber, v.doubleValue == v.doubleValue.rounded(), v.intValue > 0 else {
                throw TextEncoderError(.badConfig, "config.json: \(key) must be a positive integer")
            }
            return v.intValue
        }
        let activation = config["hidden_act"] as? String ?? "gelu"
        guard activation == "gelu" else {
            throw TextEncoderError(.unsupported, "config.json: hidden_act \(activation) (only exact gelu)")
        }
        if let position = config["position_embedding_type"] as? String, position != "absolute" {
            throw TextEncoderError(.unsupported, "config.json: position_embedding_type \(position)")
        }
        let epsilon = (config["layer_norm_eps"] as? NSNumber)?.floatValue ?? 1e-12
        var result = BertConfiguration(
            vocabularySize: try int("vocab_size"), hiddenSize: try int("hidden_size"),
            layerCount: try int("num_hidden_layers"), headCount: try int("num_attention_heads"),
            intermediateSize: try int("intermediate_size"), maxPositions: try int("max_position_embeddings"),
            typeVocabularySize: try int("type_vocab_size"), layerNormEpsilon: epsilon,
            pooling: try pooling(directory), maxTokens: 256)
        guard result.hiddenSize % result.headCount == 0, epsilon > 0, epsilon.isFinite else {
            throw TextEncoderError(.badConfig, "config.json: hidden_size must divide into heads and layer_norm_eps be positive")
        }
        let sentenceConfig = directory + "/sentence_bert_config.json"
        if FileManager.default.fileExists(atPath: sentenceConfig),
           let length = (try readObject(sentenceConfig))["max_seq_length"] as? NSNumber, length.intValue >= 2 {
            result.maxTokens = length.intValue
        }
        result.maxTokens = min(result.maxTokens, result.maxPositions)
        return result
    }

    private static func pooling(_ directory: String) throws -> Pooling {
        let config = try readObject(directory + "/1_Pooling/config.json")
        let modes: [(String, Pooling)] = [("pooling_mode_mean_tokens", .mean), ("pooling_mode_cls_token", .cls),
                                          ("pooling_mode_max_tokens", .max), ("pooling_mode_mean_sqrt_len_tokens", .meanSqrtLength)]
        let chosen = modes.filter { (config[$0.0] as? Bool) == true }.map(\.1)
        let others = config.keys.filter { $0.hasPrefix("pooling_mode_") && !modes.map(\.0).contains($0) && (config[$0] as? Bool) == true }
        guard chosen.count == 1, others.isEmpty else {
            throw TextEncoderError(.unsupported, "1_Pooling/config.json: exactly one of mean, cls, max, mean_sqrt_len pooling must be on")
        }
        return chosen[0]
    }

    private static func readObject(_ path: String) throws -> [String: Any] {
        guard let data = FileManager.default.contents(atPath: path) else {
            throw TextEncoderError(.missingFile, "cannot read \(path)")
        }
        guard let object = try? JSONSerialization.jsonObject(with: data) as? [String: Any] else {
            throw TextEncoderError(.badConfig, "\(path) is not a JSON object")
        }
        return object
    }
}
