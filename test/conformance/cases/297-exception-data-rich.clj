(def e (ex-info "validation failed" {:errors [{:field :name :msg "required"} {:field :age :msg "must be positive"}]}))
(prn (map :field (:errors (ex-data e))))
(prn (try (throw e) (catch Exception x (-> x ex-data :errors count))))
(defn validate [{:keys [name age]}]
  (let [errs (cond-> [] (nil? name) (conj :name) (and age (neg? age)) (conj :age))]
    (if (seq errs) (throw (ex-info "invalid" {:errs errs})) :valid)))
(prn (map #(try (validate %) (catch Exception ex (:errs (ex-data ex)))) [{:name "a" :age 1} {:age -1} {:name "b" :age -5}]))
