import RewardModel

// See StoreAliases.swift: this file sees only RewardModel's `UserState`.
typealias ModelUserState = UserState
