"""A volume's book on the website: its page with the settings and recipes (`pages`), its
chapters (`chapters`), its builds, editions and downloads (`builds`, publishers and admins) and
the proofs of one story (`proofs`, every editor)."""
