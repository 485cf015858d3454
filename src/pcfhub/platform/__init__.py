"""The platform every capability shares: settings, storage, tenants, sign-in, roles, API, jobs."""
