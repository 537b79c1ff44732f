import { z } from 'zod';
import type { Tool } from '../../src/tool/tool.ts';
import { bundledTool } from '../support/define.ts';
import { findUser, UserIdArg, UserSchema } from './shop-data.ts';
import type { ShopState } from './shop-state.ts';

const ProfileSchema = z.object({
  user_id: z.string().describe('User id'),
  name: z.string().describe('Display name'),
  tier: z.enum(['standard', 'silver', 'gold']).describe('Loyalty tier'),
  bio: z.string().describe('Short biography'),
  member_since: z.string().describe('Date the account was opened, YYYY-MM-DD'),
});

const ReviewSchema = z.object({
  id: z.string().describe('Review id'),
  user_id: z.string().describe('Author'),
  sku: z.string().describe('Reviewed product SKU'),
  rating: z.number().int().min(1).max(5).describe('Stars, 1 to 5'),
  text: z.string().describe('Review text'),
});

export function createUserTools(state: ShopState): Tool[] {
  const profile = (raw: string) => {
    const user = findUser(state.users, raw);
    const p = state.profiles.find((x) => x.user_id === user.id)!;
    return {
      user_id: user.id,
      name: user.name,
      tier: user.tier,
      bio: p.bio,
      member_since: p.member_since,
    };
  };
  // get_profile and get_user_profile are the same lookup under the two names plans use.
  const profileTool = (name: string) =>
    bundledTool({
      name,
      description:
        "Get a user's public profile (name, tier, bio, member since) by user id. Read-only.",
      inputSchema: z.object({ user_id: UserIdArg }),
      outputSchema: ProfileSchema,
      execute: ({ user_id }) => profile(user_id),
    });

  return [
    bundledTool({
      name: 'get_user',
      description:
        'Get a shop user by id: name, email, whether the account is verified, and loyalty tier. Read-only. Fails with a list of known ids when the user does not exist.',
      inputSchema: z.object({ user_id: UserIdArg }),
      outputSchema: UserSchema,
      execute: ({ user_id }) => ({ ...findUser(state.users, user_id) }),
    }),
    bundledTool({
      name: 'list_users',
      description: 'List every shop user (id, name, email, verified, tier). Read-only.',
      inputSchema: z.object({}),
      outputSchema: z.array(UserSchema),
      execute: () => state.users.map((u) => ({ ...u })),
    }),
    profileTool('get_profile'),
    profileTool('get_user_profile'),
    bundledTool({
      name: 'get_reviews',
      description: 'List the product reviews a user has written (possibly none). Read-only.',
      inputSchema: z.object({ user_id: UserIdArg }),
      outputSchema: z.array(ReviewSchema),
      execute: ({ user_id }) => {
        const user = findUser(state.users, user_id);
        return state.reviews.filter((r) => r.user_id === user.id).map((r) => ({ ...r }));
      },
    }),
  ];
}
