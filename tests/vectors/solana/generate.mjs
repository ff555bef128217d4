// Writes the Solana test vectors of tests/unit/solana_*_test.cpp: the bytes the reference
// JavaScript libraries (@solana/web3.js, @solana/spl-token) produce, so that our C++ is checked
// against them byte for byte without a network at test time.
//
// Regenerate (needs npm's registry once; the versions are pinned in package.json and
// package-lock.json, and the output is deterministic):
//   cd tests/vectors/solana && npm install && node generate.mjs > vectors.json
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';

import { ed25519 } from '@noble/curves/ed25519';
import {
  ASSOCIATED_TOKEN_PROGRAM_ID,
  TOKEN_PROGRAM_ID,
  createAssociatedTokenAccountIdempotentInstruction,
  createTransferCheckedInstruction,
  getAssociatedTokenAddressSync,
} from '@solana/spl-token';
import {
  Keypair,
  PublicKey,
  SystemProgram,
  TransactionMessage,
  VersionedTransaction,
} from '@solana/web3.js';
import bs58 from 'bs58';

// package.json is not among these packages' exports: read it from node_modules.
const installedVersion = (name) =>
  JSON.parse(readFileSync(new URL(`./node_modules/${name}/package.json`, import.meta.url))).version;
const hex = (bytes) => Buffer.from(bytes).toString('hex');
const base64 = (bytes) => Buffer.from(bytes).toString('base64');
const range = (from, count) => Uint8Array.from({ length: count }, (_, i) => from + i);
const sha256 = (text) => createHash('sha256').update(text).digest();

// Fixed seeds and blockhash: the same bytes on every run.
const payer = Keypair.fromSeed(range(1, 32));
const recipient = Keypair.fromSeed(range(33, 32));
const blockhash = bs58.encode(range(65, 32));
const usdcMint = new PublicKey('EPjFWdd5AufqSSqeM2qN1xzybapC8G4wEGGkZwyTDt1v');
const usdtMint = new PublicKey('Es9vMFrzaCERmJfrF4H2FYD4KCoNkY11McCe8BenwNYB');
const wsolMint = new PublicKey('So11111111111111111111111111111111111111112');
const usdcDecimals = 6;

const keypairJson = (keypair) => ({
  secret_key: Array.from(keypair.secretKey),
  public_key: keypair.publicKey.toBase58(),
});

// Compiled as web3.js compiles a legacy message (CompiledKeys), signed by the payer alone.
function signedTransfer(instructions) {
  const message = new TransactionMessage({
    payerKey: payer.publicKey,
    recentBlockhash: blockhash,
    instructions,
  }).compileToLegacyMessage();
  const transaction = new VersionedTransaction(message);
  transaction.sign([payer]);
  const messageBytes = message.serialize();
  return {
    message_hex: hex(messageBytes),
    message_base64: base64(messageBytes),
    transaction_base64: base64(transaction.serialize()),
    signature_base58: bs58.encode(transaction.signatures[0]),
  };
}

const lamports = 1_500_000_000n;
const solTransfer = {
  from: payer.publicKey.toBase58(),
  to: recipient.publicKey.toBase58(),
  lamports: lamports.toString(),
  ...signedTransfer([
    SystemProgram.transfer({
      fromPubkey: payer.publicKey,
      toPubkey: recipient.publicKey,
      lamports,
    }),
  ]),
};

const usdcAmount = 1_234_567_890n; // 1234.56789 USDC
const payerUsdc = getAssociatedTokenAddressSync(usdcMint, payer.publicKey);
const recipientUsdc = getAssociatedTokenAddressSync(usdcMint, recipient.publicKey);
const transferChecked = createTransferCheckedInstruction(
  payerUsdc,
  usdcMint,
  recipientUsdc,
  payer.publicKey,
  usdcAmount,
  usdcDecimals,
);
const usdcCommon = {
  owner: payer.publicKey.toBase58(),
  source: payerUsdc.toBase58(),
  mint: usdcMint.toBase58(),
  destination: recipientUsdc.toBase58(),
  destination_owner: recipient.publicKey.toBase58(),
  amount: usdcAmount.toString(),
  decimals: usdcDecimals,
};
const usdcTransfer = { ...usdcCommon, ...signedTransfer([transferChecked]) };
const usdcTransferWithCreate = {
  ...usdcCommon,
  ...signedTransfer([
    createAssociatedTokenAccountIdempotentInstruction(
      payer.publicKey,
      recipientUsdc,
      recipient.publicKey,
      usdcMint,
    ),
    transferChecked,
  ]),
};

// A PDA as an owner is allowed (allowOwnerOffCurve), as a custody vault would be.
const vault = PublicKey.findProgramAddressSync([Buffer.from('vault')], SystemProgram.programId)[0];
const associatedTokenAddresses = [payer.publicKey, recipient.publicKey, vault].flatMap((owner) =>
  [usdcMint, usdtMint, wsolMint].map((mint) => ({
    owner: owner.toBase58(),
    mint: mint.toBase58(),
    address: getAssociatedTokenAddressSync(mint, owner, true).toBase58(),
  })),
);

function programAddress(seeds, program) {
  const [address, bump] = PublicKey.findProgramAddressSync(seeds, program);
  return { seeds_hex: seeds.map(hex), program: program.toBase58(), address: address.toBase58(), bump };
}
const programAddresses = [
  programAddress([], SystemProgram.programId),
  programAddress([Buffer.from('vault')], SystemProgram.programId),
  programAddress([Buffer.from('payrollx'), payer.publicKey.toBuffer()], TOKEN_PROGRAM_ID),
  programAddress([range(0, 32), range(32, 32), Buffer.alloc(1)], ASSOCIATED_TOKEN_PROGRAM_ID),
  // 15 seeds: the runtime's 16 less the bump (web3.js itself sets no limit).
  programAddress(Array.from({ length: 15 }, (_, i) => Buffer.from([i])), payer.publicKey),
];
// The first seed of each bump 254 down to 250: each bump below 255 means the hashes of the higher
// bumps were on the curve, which checks is_on_curve on hashes the runtime really refuses.
for (let wanted = 254, i = 0; wanted >= 250; ++i) {
  const seed = Buffer.from(`bump-search-${i}`);
  const found = programAddress([seed], ASSOCIATED_TOKEN_PROGRAM_ID);
  if (found.bump === wanted) {
    programAddresses.push(found);
    --wanted;
  }
}

// 32-byte little-endian y with the sign bit as given.
function encodeY(y, signBit) {
  const bytes = Buffer.alloc(32);
  for (let i = 0; i < 32; ++i) bytes[i] = Number((y >> BigInt(8 * i)) & 0xffn);
  if (signBit) bytes[31] |= 0x80;
  return bytes;
}
const p = 2n ** 255n - 19n;
const flipSignBit = (bytes) => {
  const copy = Buffer.from(bytes);
  copy[31] ^= 0x80;
  return copy;
};
const onCurveCases = [
  ['all zero (y = 0, the system program)', Buffer.alloc(32)],
  ['y = 1, the identity', encodeY(1n, false)],
  ['y = 1 with the sign bit (x = 0 but "negative")', encodeY(1n, true)],
  ['y = p - 1', encodeY(p - 1n, false)],
  ['y = p - 1 with the sign bit (x = 0 but "negative")', encodeY(p - 1n, true)],
  ['y = p, non-canonical 0', encodeY(p, false)],
  ['y = p + 1, non-canonical 1', encodeY(p + 1n, false)],
  ['y = p + 2, non-canonical 2', encodeY(p + 2n, false)],
  ['y = 2^255 - 1, non-canonical 18', encodeY(2n ** 255n - 1n, false)],
  ['all 0xff (y = 2^255 - 1, sign bit)', Buffer.alloc(32, 0xff)],
  ['y = 2', encodeY(2n, false)],
  ['payer public key', payer.publicKey.toBuffer()],
  ['payer public key with the sign bit flipped', flipSignBit(payer.publicKey.toBuffer())],
  ['recipient public key', recipient.publicKey.toBuffer()],
  ['USDC mint', usdcMint.toBuffer()],
  ['token program', TOKEN_PROGRAM_ID.toBuffer()],
  ['associated token account program', ASSOCIATED_TOKEN_PROGRAM_ID.toBuffer()],
  ['payer USDC account (a PDA)', payerUsdc.toBuffer()],
  ['vault (a PDA)', vault.toBuffer()],
  ['vault (a PDA) with the sign bit flipped', flipSignBit(vault.toBuffer())],
  ...Array.from({ length: 10 }, (_, i) => [`sha256("payrollx on-curve ${i}")`, sha256(`payrollx on-curve ${i}`)]),
];
const onCurve = onCurveCases.map(([label, bytes]) => ({
  label,
  bytes_hex: hex(bytes),
  // PublicKey.isOnCurve: noble's RFC 8032 decoding, which refuses y >= p and x = 0 with the sign
  // bit set.
  web3js: PublicKey.isOnCurve(bytes),
  // The runtime's answer (curve25519-dalek's decompress, used by create_program_address): y is
  // taken modulo p and the sign bit does not matter. noble's ZIP 215 decoding is that rule.
  runtime: (() => {
    try {
      ed25519.ExtendedPoint.fromHex(bytes, true);
      return true;
    } catch {
      return false;
    }
  })(),
}));

const vectors = {
  generator: Object.fromEntries(
    ['@solana/web3.js', '@solana/spl-token', '@noble/curves'].map((name) => [name, installedVersion(name)]),
  ),
  keypairs: { payer: keypairJson(payer), recipient: keypairJson(recipient) },
  recent_blockhash: blockhash,
  sol_transfer: solTransfer,
  usdc_transfer: usdcTransfer,
  usdc_transfer_with_create: usdcTransferWithCreate,
  associated_token_addresses: associatedTokenAddresses,
  program_addresses: programAddresses,
  on_curve: onCurve,
};
process.stdout.write(`${JSON.stringify(vectors, null, 2)}\n`);
