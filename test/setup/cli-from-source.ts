// Every `bin/toolplan` a test spawns runs the TypeScript sources, never a dist/ built before
// the change under test (children inherit this variable; tests that build a child's
// environment from scratch pass it on). The compiled CLI is tested from
// the packed tarball in test/package/.
process.env.TOOLPLAN_FROM_SOURCE = '1';
