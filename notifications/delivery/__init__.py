"""Delivery mechanics, run by the workers: expanding a notification into deliveries, sending
them through the transports, the delivery state machine, progress pushes and the sweeper.
People's changes (acknowledging, rules, templates) are in notifications/services/."""
