function rate(fields)
  if fields.budget and fields.budget > 1000 then
    return "hot"
  end
  return "cold"
end
