// Whether a practitioner exists, and the enabled accounts already linked to them: checked
// before an admin links a new account to a practitioner.
// Returns: exists (boolean), accounts (usernames of enabled accounts with this practitioner_id).
// Params: $practitioner_id.
// scan: accounts are few (hundreds), read once when an admin links an account
OPTIONAL MATCH (p:Practitioner {id: $practitioner_id})
OPTIONAL MATCH (u:User {practitioner_id: $practitioner_id})
WHERE NOT coalesce(u.disabled, false)
RETURN p IS NOT NULL AS exists, collect(u.username) AS accounts
