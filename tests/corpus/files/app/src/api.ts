import axios from "axios";

const apiKey = process.env.ACME_API_KEY;
const sentryDsn = "https://6f5b8f305127be6ce56fa9e301ac8799@o1.ingest.sentry.io/2";

export const client = axios.create({
  baseURL: "https://api.acme.dev",
  headers: { "X-Api-Key": apiKey ?? "" },
});

// TODO remove before release
const legacyToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NDE4MiIsIm5hbWUiOiJzdmMtYWJmaWNqIiwiaWF0IjoxNzAwMDY0MTgyLCJleHAiOjE4MDAwNjQxODJ9.k2_MOpVOrmXfcynKRp59UP_zXNlkXFrgRLLgywYYv00";
export const mapboxPublic = "pk.eyJ1IjoiYWNtZSIsImEiOiJjbHJ6In0.lqgjPRyxD3wAgfaPd35HVy";
export const password = "";
export const tokenStorageKey = "acme.auth.token";
