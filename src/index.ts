import { sidebarPlugin } from './plugins/sidebar';

export * from './tokens';

export default [sidebarPlugin];
