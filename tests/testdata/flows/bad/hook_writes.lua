function enrich(fields)
  return "ok"
end
