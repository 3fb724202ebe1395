(defn flatten-keys
  ([m] (flatten-keys [] m))
  ([prefix m]
   (if (map? m)
     (reduce-kv (fn [acc k v] (merge acc (flatten-keys (conj prefix k) v))) {} m)
     {prefix m})))
(prn (flatten-keys {:a 1 :b {:c 2 :d {:e 3}}}))
(defn unflatten [m] (reduce-kv (fn [acc path v] (assoc-in acc path v)) {} m))
(prn (unflatten (flatten-keys {:a 1 :b {:c 2 :d {:e 3}}})))
