import type { Specialist } from '../../src/index';

/**
 * The demo helpdesk's specialists. Keywords decide the clear cases without a
 * model call; `general` (added by the engine) takes the rest with every tool.
 */
export const demoSpecialists: Specialist[] = [
  {
    name: 'billing',
    description: 'charges, invoices, refunds, payments and subscriptions',
    instructions:
      'Look up invoices before explaining a charge; point out duplicate charges. Offer a refund only for a charge you found, and say who approves it.',
    tools: ['list_invoices', 'issue_refund', 'search_knowledge_base', 'create_ticket'],
    keywords: ['charge*', 'charging', 'billed', 'billing', 'bill', 'invoice*', 'refund*', 'payment*', 'paid', 'pay', 'subscription*', 'plan', 'receipt*', 'money back', 'credit card', 'card', 'price', 'pricing', 'cost', 'renewal', 'renew', 'overcharged'],
    patterns: ['\\bch_\\d+\\b', '\\$\\s?\\d'],
  },
  {
    name: 'orders',
    description: 'orders, shipping, delivery, tracking, returns and cancelling an order',
    instructions: 'Look the order up by its id (ORD-…) before answering; give status, carrier, tracking and dates from the tool only.',
    tools: ['look_up_order', 'search_knowledge_base', 'create_ticket'],
    keywords: ['order*', 'ship*', 'deliver*', 'package', 'parcel', 'tracking', 'track', 'arrive*', 'arrival', 'courier', 'return*', 'exchange', 'items', 'purchase*', 'bought', 'late', 'lost in transit'],
    patterns: ['\\bORD-\\d+\\b'],
  },
  {
    name: 'account_security',
    description: 'signing in, passwords, two-factor authentication, locked accounts and account email changes',
    instructions:
      'Give the help-center steps first. A password reset goes to the email on file and needs the customer to confirm; never reset someone else’s account.',
    tools: ['reset_password', 'search_knowledge_base', 'create_ticket'],
    keywords: ['password*', 'log in', 'login', 'log into', 'sign in', 'signin', 'sign-in', 'locked out', 'locked', 'two-factor', '2fa', 'mfa', 'authenticat*', 'account access', 'access my account', 'access to my account', 'username', 'hacked', 'compromised', 'verification code', 'email address', 'change my email', 'security'],
  },
  {
    name: 'technical',
    description: 'app crashes, errors, bugs, outages, service status and performance',
    instructions: 'Check the service status first; then give troubleshooting steps from the help center and offer a ticket when they do not help.',
    tools: ['check_service_status', 'search_knowledge_base', 'create_ticket'],
    keywords: ['crash*', 'error*', 'bug', 'bugs', 'outage', 'down', 'not loading', 'slow', 'freez*', 'frozen', 'broken', 'glitch', 'app', 'application', 'install*', 'update', 'upgrade', 'sync*', 'not working', 'stopped working', 'service status', 'timeout', 'blank screen', 'keeps closing'],
  },
];
