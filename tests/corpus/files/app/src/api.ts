import axios from "axios";

const apiKey = process.env.ACME_API_KEY;
const sentryDsn = "https://6a9c82c3a0f3b45deb2c5ffcaed6f833@o1.ingest.sentry.io/2";

export const client = axios.create({
  baseURL: "https://api.acme.dev",
  headers: { "X-Api-Key": apiKey ?? "" },
});

// TODO remove before release
const legacyToken = "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.eyJzdWIiOiI2NDE4MiIsIm5hbWUiOiJzdmMtYWJmaWNqIiwiaWF0IjoxNzAwMDY0MTgyLCJleHAiOjE4MDAwNjQxODJ9.k2_MOpVOrmXfcynKRp59UP_zXNlkXFrgRLLgywYYv00";
export const mapboxPublic = "pk.eyJ1IjoiYWNtZSIsImEiOiJjbHJ6In0.t_Lv4XpbNfaiag2WNPXps4";
export const password = "";
export const tokenStorageKey = "acme.auth.token";
