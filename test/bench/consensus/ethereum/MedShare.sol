// SPDX-License-Identifier: Apache-2.0
pragma solidity ^0.8.4;

/// @title The source paper's contract (Sultana et al. 2020, Algorithms 1-3).
/// @notice Its one addition is `User.registered`: the paper's Send asks whether
/// the caller "has been registered", which needs a flag that an empty name or
/// NID cannot fake.
contract MedShare {
    struct User {
        string userName;
        string userNID;
        bool registered;
    }

    struct Image {
        uint256 id;
        address senderAddress;
        address receiverAddress;
        string ipfsHash;
    }

    error NotAdmin(address caller);
    error NotRegistered(address caller);
    error IdOutOfRange(uint256 id, uint256 count);

    /// The admin is the account that deployed the contract.
    address public immutable admin;
    mapping(address => User) public userRegister;
    mapping(address => Image[]) private images;

    constructor() {
        admin = msg.sender;
    }

    /// Algorithm 1: the admin registers a patient or a technologist.
    function AddUser(address userAddress, string calldata userName, string calldata userNID) public {
        if (msg.sender != admin) revert NotAdmin(msg.sender);
        userRegister[userAddress] = User(userName, userNID, true);
    }

    /// Algorithm 2: a registered user appends an image record to the receiver's array.
    function Send(address receiverAddress, string calldata ipfsHash) public {
        if (!userRegister[msg.sender].registered) revert NotRegistered(msg.sender);
        Image[] storage received = images[receiverAddress];
        received.push(Image(received.length, msg.sender, receiverAddress, ipfsHash));
    }

    /// Algorithm 3: the caller's image record `id`, if in range.
    function View(uint256 id) public view returns (string memory) {
        Image[] storage own = images[msg.sender];
        if (id >= own.length) revert IdOutOfRange(id, own.length);
        return own[id].ipfsHash;
    }
}
