import { startEmulator, verifyToken, decodeJwt, DEV_ACCESS_TOKEN, EmulatorError, type Emulator, type FaultRule, type BigCommerceJwtClaims } from '@naftiko-ts/bigcommerce-emulator';
const rule: FaultRule = { kind: 'status', status: 503 };
const e: Emulator = await startEmulator({ faults: [rule], clock: () => 0 });
const c = decodeJwt('x').payload as BigCommerceJwtClaims;
console.log(verifyToken('x', e.publicKey), DEV_ACCESS_TOKEN, EmulatorError.isInstance(1), c.eat);
