"""The API's views: plans, the portfolio (projects, budgets) and what is reported on it."""
