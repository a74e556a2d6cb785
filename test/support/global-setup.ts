// Placeholder: replaced by the shared test services (DynamoDB Local, local S3).
export default async function setup(): Promise<void> {}
