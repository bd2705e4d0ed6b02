import { stopSharedDynamoDbLocal } from './dynamodb';

export const mochaHooks = {
  async afterAll(): Promise<void> {
    await stopSharedDynamoDbLocal();
  },
};
