(defn deep-merge [a b]
  (if (and (map? a) (map? b)) (merge-with deep-merge a b) b))
(prn (deep-merge {:a {:b 1 :c 2} :d 4} {:a {:c 3 :e 5} :f 6}))
(prn (reduce deep-merge [{:x {:y {:z 1}}} {:x {:y {:w 2}}} {:x {:q 3}}]))
(prn (deep-merge {:a 1} {:a {:b 2}}))
